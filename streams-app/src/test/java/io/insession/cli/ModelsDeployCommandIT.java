package io.insession.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.insession.config.InSessionConfig;
import io.insession.testing.KafkaTestCluster;
import io.insession.testing.TestModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code insession models deploy|history|rollback} on a real broker and a temporary registry. */
class ModelsDeployCommandIT {

  @RegisterExtension static final KafkaTestCluster KAFKA = new KafkaTestCluster();

  private static final String TINY = "gru4rec-tiny:20261123T202252Z";
  private static final String INT8 = "gru4rec-tiny-int8:20261127T124925Z";
  private static final Pattern DEPLOYED = Pattern.compile("Deployed (d-[0-9a-f-]+):");

  @TempDir Path dir;

  private String topic;

  @BeforeEach
  void newTopic() {
    topic = KAFKA.uniqueName("deployments");
  }

  private CliRun models(final String... args) {
    final List<String> all = new ArrayList<>(List.of("models"));
    all.addAll(List.of(args));
    all.add("--registry=" + dir.resolve("registry"));
    all.add("--bootstrap-servers=" + KAFKA.bootstrapServers());
    all.add("--set=" + InSessionConfig.DEPLOYMENTS_TOPIC + "=" + topic);
    all.add("--set=" + InSessionConfig.TOPIC_REPLICATION_FACTOR + "=1");
    return CliRun.execute(all);
  }

  private String deploy(final String... variants) {
    final List<String> args = new ArrayList<>(List.of("deploy"));
    for (final String variant : variants) {
      args.add("--variant=" + variant);
    }
    final CliRun run = models(args.toArray(String[]::new));
    assertThat(run.code()).as(run.err()).isZero();
    final Matcher id = DEPLOYED.matcher(run.out());
    assertThat(id.find()).as(run.out()).isTrue();
    return id.group(1);
  }

  private void publish(final String bundle) {
    final CliRun run = models("publish", "--bundle=" + TestModels.bundleDir(bundle));
    assertThat(run.code()).as(run.err()).isZero();
  }

  @Test
  void shouldDeployListTheHistoryAndRollBackToThePreviousDeployment() {
    publish("tiny");
    publish("tiny-int8");

    final String first = deploy("gru=" + TINY + ":90", "control=popular:10");
    final String second = deploy("gru=" + INT8 + ":1");

    final CliRun history = models("history");
    assertThat(history.code()).as(history.err()).isZero();
    assertThat(history.out())
        .contains("DEPLOYED  " + first)
        .contains("gru=" + TINY + ":90 control=popular:10 (salt 'insession')")
        .contains("DEPLOYED  " + second)
        .contains("Current: " + second);

    final CliRun rollback = models("rollback");
    assertThat(rollback.code()).as(rollback.err()).isZero();
    assertThat(rollback.out()).contains("Rolled back to " + first + " as d-");

    final CliRun after = models("history");
    assertThat(after.out())
        .contains("rollback to " + first)
        .contains("gru=" + TINY + ":90 control=popular:10")
        .doesNotContain("Current: " + second)
        .doesNotContain("Current: " + first);
    assertThat(after.out().lines().filter(line -> line.contains("DEPLOYED"))).hasSize(3);
  }

  @Test
  void shouldRefuseAnUnpublishedVersionABadVariantAndARollbackWithNothingBefore() {
    publish("tiny");

    final CliRun unknown = models("deploy", "--variant=gru=gru4rec-tiny:19990101:1");
    assertThat(unknown.code()).isEqualTo(ModelsCommand.EXIT_NOT_FOUND);
    assertThat(unknown.err()).contains("model gru4rec-tiny has no version '19990101'");

    final CliRun bad = models("deploy", "--variant=gru:1");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).contains("must be NAME=SOURCE:WEIGHT");

    deploy("gru=" + TINY + ":1");
    final CliRun rollback = models("rollback");
    assertThat(rollback.code()).isEqualTo(ModelsCommand.EXIT_NOT_FOUND);
    assertThat(rollback.err()).contains("no earlier good deployment to roll back to");
  }

  @Test
  void shouldDeployOnlyWhatPassesThePromotionGateAgainstTheModelItReplaces() throws Exception {
    publish("tiny");
    publish("tiny-int8");
    final String test =
        Path.of(
                getClass()
                    .getClassLoader()
                    .getResource("evaluation/yoochoose-100k-test-head200.tsv")
                    .toURI())
            .toString();
    final String first = deploy("gru=" + TINY + ":90", "control=popular:10");

    // int8 against the float model it replaces: its MRR@20 is lower by a hair, so with no margin
    // the lower bound of the difference is below 0 and nothing is deployed
    final CliRun strict =
        models("deploy", "--variant=gru=" + INT8 + ":1", "--gate-test=" + test, "--gate-margin=0");
    assertThat(strict.code()).as(strict.err()).isEqualTo(ModelsGateCommand.EXIT_FAILED);
    assertThat(strict.out())
        .contains("candidate " + INT8 + " against current " + TINY)
        .contains("FAIL")
        .contains("Nothing deployed");
    assertThat(models("history").out()).contains("Current: " + first);

    // within a 5 % margin it passes and is deployed; the control is not gated
    final CliRun lenient =
        models(
            "deploy",
            "--variant=gru=" + INT8 + ":90",
            "--variant=control=popular:10",
            "--gate-test=" + test,
            "--gate-margin=0.05");
    assertThat(lenient.code()).as(lenient.err() + lenient.out()).isZero();
    assertThat(lenient.out()).contains("PASSED").contains("Deployed d-");
    assertThat(lenient.out().lines().filter(line -> line.startsWith("Promotion gate"))).hasSize(1);
  }
}
