package io.insession.trending;

import io.insession.config.InSessionConfig;
import io.insession.kafka.TopicFollower;
import io.insession.kafka.Topics;
import io.insession.schemas.TrendingList;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The trending lists in the lookup API's memory: a {@link TopicFollower} reads the whole trending
 * topic and follows it, keeping each share's latest record (a tombstone removes it). Small: scopes
 * × counting tasks shares of at most {@code insession.trending.top.n} items. A scope's list is
 * merged from its shares on each read ({@link TrendingMerge}).
 */
public final class TrendingFollower implements TrendingLists, AutoCloseable {

  private final Map<String, TrendingList> shares = new ConcurrentHashMap<>();
  private final TopicFollower<TrendingList> follower;

  private TrendingFollower(final InSessionConfig config) {
    this.follower =
        TopicFollower.start(config, Topics.from(config).trending(), "trending", this::apply);
  }

  /** Creates and starts the follower of {@code config}'s trending topic. */
  public static TrendingFollower start(final InSessionConfig config) {
    return new TrendingFollower(config);
  }

  private void apply(final String key, final TrendingList share) {
    if (share == null) {
      shares.remove(key);
    } else {
      shares.put(key, share);
    }
  }

  @Override
  public Trending top(final String scope, final int count) {
    return TrendingMerge.merge(scope, shares.values(), count);
  }

  @Override
  public void close() {
    follower.close();
  }
}
