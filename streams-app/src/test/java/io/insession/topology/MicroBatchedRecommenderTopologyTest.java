package io.insession.topology;

/** Every topology behaviour again, with micro-batched scoring (the default in production). */
class MicroBatchedRecommenderTopologyTest extends RecommenderTopologyTest {

  @Override
  protected TopologySettings adjust(final TopologySettings settings) {
    return settings.withBatching(8, BATCH_DELAY_MS);
  }
}
