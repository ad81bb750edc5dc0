package io.insession.runtime;

import io.insession.api.ApiBinding;
import io.insession.api.CollectorSettings;
import io.insession.api.FallbackLists;
import io.insession.api.HttpLimits;
import io.insession.api.LookupApiSettings;
import io.insession.api.PushSettings;
import io.insession.config.InSessionConfig;
import io.insession.http.HttpSecurity;
import io.insession.kafka.Topics;
import io.insession.scoring.Candidate;
import io.insession.scoring.ModelBundle;
import io.insession.scoring.PopularityScorer;
import io.insession.session.EventLimits;
import io.insession.trending.TrendingLists;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The lookup API's settings from the InSession config. The event collector produces to the weblog
 * topic unless {@code insession.api.collector.enabled} is false. Authentication follows {@code
 * insession.api.auth} (required by default: the keys are read here, see {@link HttpSecurity}).
 */
public final class LookupSettings {

  private LookupSettings() {}

  /**
   * The lookup API's fallback for a session without a list, with {@code
   * insession.trending.enabled}: {@code trending}'s lists, then the frozen popularity list of
   * {@code insession.model.bundle} when it is set, as long as {@code
   * insession.recommendations.count}. Without trending, none: a session without a list is answered
   * 404, as before trending existed.
   */
  public static FallbackLists fallback(final InSessionConfig config, final TrendingLists trending) {
    if (!config.getBoolean(InSessionConfig.TRENDING_ENABLED)) {
      return FallbackLists.NONE;
    }
    final int length = config.getInt(InSessionConfig.RECOMMENDATIONS_COUNT);
    final String bundle = config.getString(InSessionConfig.MODEL_BUNDLE);
    final List<Candidate> popular =
        bundle.isBlank()
            ? List.of()
            : PopularityScorer.fromBundle(ModelBundle.load(Path.of(bundle))).fallback(length);
    return new FallbackLists(trending, popular, length);
  }

  public static LookupApiSettings from(final InSessionConfig config) {
    final Topics topics = Topics.from(config);
    final LookupApiSettings settings =
        LookupApiSettings.of(
                config.bootstrapServers(), config.getString(InSessionConfig.RECOMMENDATIONS_TOPIC))
            .withKafkaProperties(config.kafkaProperties())
            .withListDecoder(topics.recommendations().valueSerde().deserializer())
            .withBinding(
                new ApiBinding(
                    config.getString(InSessionConfig.API_BIND_ADDRESS),
                    config.getInt(InSessionConfig.API_PORT),
                    config.getString(InSessionConfig.METRICS_BIND_ADDRESS),
                    config.getInt(InSessionConfig.API_METRICS_PORT)))
            .withSecurity(HttpSecurity.from(config))
            .withCache(
                config.getLong(InSessionConfig.API_CACHE_MAX_SESSIONS),
                Duration.ofMillis(config.sessionGapMs()))
            .withCollector(
                config.getBoolean(InSessionConfig.API_COLLECTOR_ENABLED)
                    ? new CollectorSettings(
                        topics.weblog(),
                        config.getInt(InSessionConfig.API_COLLECTOR_MAX_BATCH_EVENTS),
                        Duration.ofMillis(
                            config.getLong(InSessionConfig.API_COLLECTOR_ACK_TIMEOUT_MS)),
                        EventLimits.from(config),
                        config.getInt(InSessionConfig.API_COLLECTOR_WAIT_MAX_REQUESTS))
                    : null)
            .withCacheMaxBytes(config.getLong(InSessionConfig.API_CACHE_MAX_BYTES))
            .withBrokerGrace(
                Duration.ofMillis(config.getLong(InSessionConfig.API_READY_BROKER_GRACE_MS)));
    return withHttpAndPush(
        settings,
        HttpLimits.from(config),
        new PushSettings(
            config.getInt(InSessionConfig.API_STREAM_MAX_SUBSCRIBERS),
            Duration.ofMillis(config.getLong(InSessionConfig.API_STREAM_HEARTBEAT_MS))));
  }

  /**
   * Both settings, in an order whose every step is valid: each step checks that the idle timeout is
   * longer than the heartbeat, against the other's value in force. When the new heartbeat is below
   * the idle timeout in force, it goes first (both lowered, e.g. a 1 s idle timeout with a 200 ms
   * heartbeat); otherwise the idle timeout goes first (both raised).
   */
  private static LookupApiSettings withHttpAndPush(
      final LookupApiSettings settings, final HttpLimits http, final PushSettings push) {
    return push.heartbeat().compareTo(settings.http().idleTimeout()) < 0
        ? settings.withPush(push).withHttp(http)
        : settings.withHttp(http).withPush(push);
  }
}
