package io.insession.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.insession.config.InSessionConfig;
import io.insession.data.Click;
import io.insession.data.SessionFiles;
import io.insession.schemas.EventType;
import io.insession.schemas.WeblogEvent;
import io.insession.session.ForgetRequests;
import io.insession.testing.CommittedLists;
import io.insession.testing.KafkaTestCluster;
import io.insession.testing.TestEvents;
import io.insession.testing.TestModels;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retraining from the weblog topic on a real broker (docs/retraining.md): {@code sessions export}
 * writes what was produced, leaving out and counting what the stream would not score; {@code models
 * retrain} runs export, training with the real model-exporter (Python), the promotion gate and
 * publishing on 3,000 real yoochoose sessions, and publishes nothing when the gate refuses.
 */
class RetrainingIT {

  @RegisterExtension static final KafkaTestCluster KAFKA = new KafkaTestCluster();

  private static final Logger LOG = LoggerFactory.getLogger(RetrainingIT.class);

  private static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");

  private static final Path EXPORTER = Path.of("..", "model-exporter").toAbsolutePath();

  private static final Path TINY_RECIPE = EXPORTER.resolve("hparams").resolve("tiny.json");

  @TempDir Path dir;

  private CliRun cli(final String... args) {
    final List<String> all = new ArrayList<>(List.of(args));
    all.add("--bootstrap-servers=" + KAFKA.bootstrapServers());
    all.add("--set=" + InSessionConfig.RETRAIN_EXPORTER_DIR + "=" + EXPORTER);
    final String python = System.getenv("PYTHON");
    if (python != null
        && !python.isBlank()
        && all.stream().noneMatch(a -> a.contains(InSessionConfig.RETRAIN_PYTHON))) {
      all.add("--set=" + InSessionConfig.RETRAIN_PYTHON + "=" + python);
    }
    return CliRun.execute(all);
  }

  private static InSessionConfig producerConfig(final String topic) {
    return InSessionConfig.of(
        Map.of("bootstrap.servers", KAFKA.bootstrapServers(), InSessionConfig.WEBLOG_TOPIC, topic));
  }

  private static WeblogEvent view(
      final String session, final String id, final String item, final long second) {
    return TestEvents.view(session, id, item, T0.plusSeconds(second));
  }

  @Test
  void shouldExportTheSessionsOfARangeAndCountWhatItLeavesOut() throws Exception {
    final String topic = KAFKA.uniqueName("weblog");
    KAFKA.createTopic(topic, 2);
    final InSessionConfig config = producerConfig(topic);
    try (KafkaProducer<String, WeblogEvent> producer = CommittedLists.producer(config);
        KafkaProducer<byte[], byte[]> raw =
            new KafkaProducer<>(
                config.clientProperties(), new ByteArraySerializer(), new ByteArraySerializer())) {
      for (final WeblogEvent event :
          List.of(
              view("before", "e0", "z", -10), // before the range
              view("s1", "e1", "a", 0),
              view("s1", "e2", "b", 1),
              TestEvents.event("s1", "e3", EventType.PAGE_VIEW, null, T0.plusSeconds(2)),
              TestEvents.event("s1", "e4", EventType.ADD_TO_CART, "b", T0.plusSeconds(3)),
              view("s2", "e5", "c", 10),
              view("s2", "e5", "c", 11), // a retry: the same event id
              view("s2", "e6", "d", 12),
              view("s3", "e7", "e", 20),
              view("s3", "e8", "f", 21),
              view("s4", "e9", "x\ty", 30), // an item id a TSV line cannot carry
              view("s4", "e10", "g", 31),
              view("s4", "", "h", 32), // invalid: no event id, the stream dead-letters it
              view("after", "e11", "z", 100), // at the range's end: outside
              ForgetRequests.of("s3", "f1", T0.plusSeconds(200)))) { // after the range
        CommittedLists.send(config, producer, event);
      }
      raw.send(
          new ProducerRecord<>(
              topic,
              null,
              T0.plusSeconds(40).toEpochMilli(),
              "s5".getBytes(StandardCharsets.UTF_8),
              "not avro".getBytes(StandardCharsets.UTF_8)));
      producer.flush();
      raw.flush();
    }
    final Path out = dir.resolve("train.tsv");

    final CliRun run =
        cli(
            "sessions",
            "export",
            "-q",
            "--topic=" + topic,
            "--from=" + T0,
            "--to=" + T0.plusSeconds(100),
            "--out=" + out);

    assertThat(run.code()).as(run.err()).isZero();
    assertThat(Files.readString(out))
        .isEqualTo(
            String.join(
                "\n",
                "SessionId\tItemId\tPos\tEventTime",
                "s1\ta\t0\t2026-11-20T10:00:00Z",
                "s1\tb\t1\t2026-11-20T10:00:01Z",
                "s1\tb\t2\t2026-11-20T10:00:03Z",
                "s2\tc\t0\t2026-11-20T10:00:10Z",
                "s2\td\t1\t2026-11-20T10:00:12Z",
                "s4\tg\t0\t2026-11-20T10:00:31Z",
                ""));
    assertThat(run.out())
        .contains("13 records read")
        .contains("3 sessions, 6 clicks; 1 other events")
        .contains("skipped 1 undecodable records")
        .contains("skipped 1 invalid events")
        .contains("skipped 1 retried events")
        .contains("skipped 2 events of forgotten sessions")
        .contains("skipped 1 clicks with ids a TSV line cannot carry");
    assertThat(SessionFiles.readSessions(out).keySet()).containsExactly("s1", "s2", "s4");
  }

  @Test
  void shouldRefuseARangeWithoutClicks() throws Exception {
    final String topic = KAFKA.uniqueName("weblog");
    KAFKA.createTopic(topic, 1);
    final InSessionConfig config = producerConfig(topic);
    try (KafkaProducer<String, WeblogEvent> producer = CommittedLists.producer(config)) {
      CommittedLists.send(config, producer, view("s1", "e1", "a", 0));
      producer.flush();
    }

    final CliRun run =
        cli(
            "sessions",
            "export",
            "-q",
            "--topic=" + topic,
            "--from=" + T0.plusSeconds(1),
            "--to=" + T0.plusSeconds(60),
            "--out=" + dir.resolve("empty.tsv"));

    assertThat(run.code()).isEqualTo(SessionsCommand.EXIT_EMPTY);
    assertThat(run.err())
        .contains("no clicks in " + topic + " [2026-11-20T10:00:01Z, 2026-11-20T10:01:00Z)")
        .contains("Check --from/--to");
    assertThat(dir.resolve("empty.tsv")).doesNotExist();
  }

  @Test
  void shouldRetrainOnRealSessionsPublishWhenTheGatePassesAndNothingWhenItFails() throws Exception {
    final Map<String, List<Click>> sessions = realSessions();
    final String topic = KAFKA.uniqueName("weblog");
    try (Admin admin = Admin.create(KAFKA.adminProps())) {
      // the sessions keep their 2014 times: no time-based retention, or the broker drops them
      admin
          .createTopics(
              List.of(
                  new NewTopic(topic, 3, (short) 1)
                      .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, "-1"))))
          .all()
          .get();
    }
    final InSessionConfig config = producerConfig(topic);
    Instant first = Instant.MAX;
    Instant last = Instant.MIN;
    try (KafkaProducer<String, WeblogEvent> producer = CommittedLists.producer(config)) {
      for (final List<Click> clicks : sessions.values()) {
        int n = 0;
        for (final Click click : clicks) {
          producer.send(
              new ProducerRecord<>(
                  topic,
                  null,
                  click.time().toEpochMilli(),
                  click.sessionId(),
                  TestEvents.view(
                      click.sessionId(),
                      click.sessionId() + "-" + n++,
                      click.itemId(),
                      click.time())));
          first = click.time().isBefore(first) ? click.time() : first;
          last = click.time().isAfter(last) ? click.time() : last;
        }
      }
      producer.flush();
    }
    final Path registry = dir.resolve("registry");
    final Path work = dir.resolve("work");
    final Path hookOut = dir.resolve("hook.txt");

    // the first version of a model: gated against the most-sold control, and published
    final CliRun passed =
        cli(
            "models",
            "retrain",
            "-q",
            "--registry=" + registry,
            "--topic=" + topic,
            "--from=" + first,
            "--to=" + last.plusMillis(1),
            "--name=gru4rec-shop",
            "--hparams=" + TINY_RECIPE,
            "--epochs=1",
            "--work-dir=" + work,
            "--then=echo \"$INSESSION_MODEL $INSESSION_MODEL_PARENT\" > " + hookOut);

    LOG.info("models retrain printed:{}{}", System.lineSeparator(), passed.out());
    assertThat(passed.code()).as(passed.out() + passed.err()).isZero();
    assertThat(passed.out())
        .contains("[1/5] export")
        .contains("3,000 sessions, 12,115 clicks; 0 other events; nothing skipped")
        .contains("[2/5] split    train 2,700 sessions")
        .contains("held out 300 sessions")
        .contains("[3/5] train    gru4rec-shop:")
        .contains("[4/5] gate")
        .contains("against popular")
        .contains("PASSED")
        .contains("[5/5] publish  published gru4rec-shop:");
    // the export round trip: training and held-out files hold exactly the produced sessions
    final Map<String, List<String>> exported = new LinkedHashMap<>();
    try (Stream<Path> files = Files.list(work)) {
      for (final Path file : files.filter(f -> f.toString().endsWith(".tsv")).sorted().toList()) {
        SessionFiles.readSessions(file)
            .forEach((id, clicks) -> exported.put(id, clicks.stream().map(Click::itemId).toList()));
      }
    }
    final Map<String, List<String>> produced = new LinkedHashMap<>();
    sessions.forEach((id, clicks) -> produced.put(id, clicks.stream().map(Click::itemId).toList()));
    assertThat(exported).isEqualTo(produced);
    final CliRun list = cli("models", "list", "gru4rec-shop", "--registry=" + registry);
    assertThat(list.code()).as(list.err()).isZero();
    final String published = Files.readString(hookOut).strip();
    assertThat(published).startsWith("gru4rec-shop:");
    assertThat(list.out()).contains(published.substring("gru4rec-shop:".length()));

    // a candidate trained on this slice against the tiny model, trained on all 100k clicks
    final CliRun publishTiny =
        cli(
            "models",
            "publish",
            "--registry=" + registry,
            "--bundle=" + TestModels.tinyBundleDir());
    assertThat(publishTiny.code()).as(publishTiny.err()).isZero();
    final CliRun refused =
        cli(
            "models",
            "retrain",
            "-q",
            "--registry=" + registry,
            "--topic=" + topic,
            "--from=" + first,
            "--to=" + last.plusMillis(1),
            "--name=gru4rec-shop",
            "--current=gru4rec-tiny:20261123T202252Z",
            "--hparams=" + TINY_RECIPE,
            "--epochs=1",
            "--work-dir=" + dir.resolve("work2"),
            "--then=touch " + dir.resolve("never"));

    LOG.info("models retrain printed:{}{}", System.lineSeparator(), refused.out());
    assertThat(refused.code())
        .as(refused.out() + refused.err())
        .isEqualTo(ModelsGateCommand.EXIT_FAILED);
    assertThat(refused.out()).contains("against gru4rec-tiny:20261123T202252Z").contains("FAILED");
    assertThat(refused.err()).contains("failed the promotion gate").contains("nothing published");
    assertThat(dir.resolve("never")).doesNotExist();
    final CliRun after = cli("models", "list", "gru4rec-shop", "--registry=" + registry);
    assertThat(after.out()).isEqualTo(list.out());
  }

  @Test
  void shouldSayWhatIsMissingWhenPythonCannotRun() {
    final CliRun run =
        cli(
            "models",
            "retrain",
            "--registry=" + dir.resolve("registry"),
            "--last=P1D",
            "--name=gru4rec-shop",
            "--set=" + InSessionConfig.RETRAIN_PYTHON + "=" + dir.resolve("no-python"));

    assertThat(run.code()).isEqualTo(ModelsRetrainCommand.EXIT_NOT_TRAINED);
    assertThat(run.err())
        .contains("cannot start Python " + dir.resolve("no-python"))
        .contains(InSessionConfig.RETRAIN_PYTHON);
  }

  private static Map<String, List<Click>> realSessions() throws IOException {
    try (InputStream in =
        RetrainingIT.class.getResourceAsStream("/evaluation/yoochoose-100k-train-head3000.tsv")) {
      return SessionFiles.readSessions(in, "yoochoose-100k-train-head3000.tsv");
    }
  }
}
