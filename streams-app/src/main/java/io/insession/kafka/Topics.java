package io.insession.kafka;

import io.insession.config.InSessionConfig;
import io.insession.schemas.CatalogItem;
import io.insession.schemas.ExperimentKpis;
import io.insession.schemas.ModelDeployment;
import io.insession.schemas.RecommendationList;
import io.insession.schemas.TrendingList;
import io.insession.schemas.WeblogEvent;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The topics of InSession with their serdes.
 *
 * @param weblog weblog events in (typed, for producers; the topology reads raw bytes to validate)
 * @param deadLetter records that failed validation, byte for byte as they arrived
 * @param recommendations ranked lists out
 * @param deployments model deployments and their refusals (compacted; key: deployment id, or {@code
 *     <id>/refused/<instance>} for a refusal)
 * @param catalog the shop's catalogue (compacted; key: item id, a tombstone deletes the item)
 * @param trending live trending lists (compacted; key: {@code <scope>#<partition>}, one share of a
 *     scope's list per counting task, see {@code io.insession.trending})
 * @param experiments live KPIs per experiment and variant (compacted; key: {@code <experiment>/all}
 *     or {@code <experiment>/<window start ms>}, docs/experiments.md)
 */
public record Topics(
    Topic<String, WeblogEvent> weblog,
    Topic<byte[], byte[]> deadLetter,
    Topic<String, RecommendationList> recommendations,
    Topic<String, ModelDeployment> deployments,
    Topic<String, CatalogItem> catalog,
    Topic<String, TrendingList> trending,
    Topic<String, ExperimentKpis> experiments) {

  /** The topics named in {@code config}, with the value serdes it chooses ({@link ValueSerdes}). */
  public static Topics from(final InSessionConfig config) {
    final ValueSerdes values = ValueSerdes.from(config);
    return new Topics(
        new Topic<>(
            config.getString(InSessionConfig.WEBLOG_TOPIC),
            Serdes.String(),
            values.topicValue(WeblogEvent.class)),
        new Topic<>(
            config.getString(InSessionConfig.DEAD_LETTER_TOPIC),
            Serdes.ByteArray(),
            Serdes.ByteArray()),
        new Topic<>(
            config.getString(InSessionConfig.RECOMMENDATIONS_TOPIC),
            Serdes.String(),
            values.topicValue(RecommendationList.class)),
        new Topic<>(
            config.getString(InSessionConfig.DEPLOYMENTS_TOPIC),
            Serdes.String(),
            values.topicValue(ModelDeployment.class)),
        new Topic<>(
            config.getString(InSessionConfig.CATALOG_TOPIC),
            Serdes.String(),
            values.topicValue(CatalogItem.class)),
        new Topic<>(
            config.getString(InSessionConfig.TRENDING_TOPIC),
            Serdes.String(),
            values.topicValue(TrendingList.class)),
        new Topic<>(
            config.getString(InSessionConfig.EXPERIMENTS_TOPIC),
            Serdes.String(),
            values.topicValue(ExperimentKpis.class)));
  }
}
