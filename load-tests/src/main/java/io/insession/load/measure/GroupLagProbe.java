package io.insession.load.measure;

import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The app's consumer lag on the weblog topic: end offsets minus the offsets its consumer group (the
 * Streams application id) has committed. With exactly-once the commits trail by up to one commit
 * interval (100 ms by default), so a small lag is normal; a lag that grows step after step is not.
 */
public final class GroupLagProbe {

  private final Admin admin;
  private final String groupId;
  private final String topic;

  public GroupLagProbe(final Admin admin, final String groupId, final String topic) {
    this.admin = admin;
    this.groupId = groupId;
    this.topic = topic;
  }

  /** Records of the topic not yet committed by the group; -1 when it cannot be read. */
  public long lag() throws InterruptedException {
    try {
      final Map<TopicPartition, OffsetAndMetadata> committed =
          admin
              .listConsumerGroupOffsets(groupId)
              .partitionsToOffsetAndMetadata()
              .get(10, TimeUnit.SECONDS);
      final Map<TopicPartition, OffsetSpec> request =
          admin
              .describeTopics(java.util.List.of(topic))
              .allTopicNames()
              .get(10, TimeUnit.SECONDS)
              .get(topic)
              .partitions()
              .stream()
              .collect(
                  Collectors.toMap(p -> new TopicPartition(topic, p.partition()), p -> latest()));
      final Map<TopicPartition, ListOffsetsResultInfo> ends =
          admin.listOffsets(request).all().get(10, TimeUnit.SECONDS);
      long lag = 0;
      for (final Map.Entry<TopicPartition, ListOffsetsResultInfo> end : ends.entrySet()) {
        final OffsetAndMetadata done = committed.get(end.getKey());
        lag += end.getValue().offset() - (done == null ? 0 : done.offset());
      }
      return lag;
    } catch (ExecutionException | TimeoutException e) {
      return -1;
    }
  }

  private static OffsetSpec latest() {
    return OffsetSpec.latest();
  }
}
