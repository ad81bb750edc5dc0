package io.insession.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.insession.config.InSessionConfig;
import io.insession.kafka.Topics;
import io.insession.scoring.SessionScorer;
import io.insession.testing.KafkaTestCluster;
import io.insession.testing.TestModels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Static membership on a real broker: {@code insession.instance.id} names the instance's member in
 * the Streams group, and a clean stop leaves the group ({@code
 * insession.streams.leave.group.on.close}, the default) or stays in it (Kafka Streams' own
 * behaviour). The session timeout is set far longer than the test may take, so a member that is
 * gone after a stop can only have left.
 */
class GroupMembershipIT {

  @RegisterExtension static final KafkaTestCluster KAFKA = new KafkaTestCluster();

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  /** Longer than any wait here: only a LeaveGroup removes a member before it runs out. */
  private static final String SESSION_TIMEOUT_MS = "600000";

  @TempDir Path stateDir;

  @Test
  void shouldJoinUnderItsInstanceIdAndLeaveTheGroupOnACleanStop() throws Exception {
    final InSessionConfig config = config("pod-0", true);

    try (Admin admin = Admin.create(KAFKA.adminProps())) {
      runUntilRunning(config);
      // (closed) the member left: nobody waits for its session to run out
      await().atMost(TIMEOUT).until(() -> members(admin, config.applicationId()).isEmpty());
    }
  }

  @Test
  void shouldStayInTheGroupOnACleanStopWhenToldTo() throws Exception {
    final InSessionConfig config = config("pod-1", false);

    try (Admin admin = Admin.create(KAFKA.adminProps())) {
      runUntilRunning(config);
      // the member stays, its tasks kept for it until it comes back or its session runs out
      assertThat(members(admin, config.applicationId()))
          .extracting(MemberDescription::groupInstanceId)
          .containsExactly(Optional.of("pod-1-1"));
    }
  }

  /** Starts the recommender, checks it joined as a static member, and stops it cleanly. */
  private static void runUntilRunning(final InSessionConfig config) throws Exception {
    final Topics topics = Topics.from(config);
    KAFKA.createTopic(topics.weblog().name(), 2);
    KAFKA.createTopics(topics.deadLetter().name(), topics.recommendations().name());
    KAFKA.createGlobalStoreTopics(config);
    try (Admin admin = Admin.create(KAFKA.adminProps());
        SessionScorer scorer = TestModels.tinyGruScorer();
        StreamsRunner streams = RecommenderStreams.create(config, scorer)) {
      streams.start();
      assertThat(streams.awaitRunning(TIMEOUT)).isTrue();
      // one stream thread: Streams names its consumer <instance id>-1
      final String member = config.getString(InSessionConfig.INSTANCE_ID) + "-1";
      await()
          .atMost(TIMEOUT)
          .untilAsserted(
              () ->
                  assertThat(members(admin, config.applicationId()))
                      .extracting(MemberDescription::groupInstanceId)
                      .containsExactly(Optional.of(member)));
    }
  }

  private static Collection<MemberDescription> members(final Admin admin, final String group)
      throws Exception {
    final ConsumerGroupDescription description =
        admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get();
    return description.members();
  }

  private InSessionConfig config(final String instanceId, final boolean leaveGroupOnClose) {
    final Map<String, String> settings = new HashMap<>();
    settings.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
    settings.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    settings.put(InSessionConfig.APPLICATION_ID, KAFKA.uniqueName("membership-app"));
    settings.put(InSessionConfig.WEBLOG_TOPIC, KAFKA.uniqueName("weblog"));
    settings.put(InSessionConfig.DEAD_LETTER_TOPIC, KAFKA.uniqueName("dlq"));
    settings.put(InSessionConfig.RECOMMENDATIONS_TOPIC, KAFKA.uniqueName("recommendations"));
    settings.put(InSessionConfig.INSTANCE_ID, instanceId);
    settings.put(InSessionConfig.STREAMS_SESSION_TIMEOUT_MS, SESSION_TIMEOUT_MS);
    settings.put(InSessionConfig.STREAMS_LEAVE_GROUP_ON_CLOSE, String.valueOf(leaveGroupOnClose));
    return InSessionConfig.of(settings);
  }
}
