package io.insession.topology;

import static io.insession.testing.TestEvents.event;
import static io.insession.testing.TestEvents.view;
import static org.assertj.core.api.Assertions.assertThat;

import io.insession.config.InSessionConfig;
import io.insession.schemas.EventType;
import io.insession.schemas.RecommendationList;
import io.insession.schemas.ScoredItem;
import io.insession.schemas.SessionState;
import io.insession.schemas.WeblogEvent;
import io.insession.scoring.CurrentVariants;
import io.insession.scoring.ModelInfo;
import io.insession.scoring.PopularityScorer;
import io.insession.scoring.ScorerVariants;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each option of {@code insession.rules.exclude.seen}, set in the config, through the topology on
 * {@link TopologyTestDriver}. The scorer is the production popularity scorer: the same list p1, p2,
 * ... for every event, so what each option leaves out is plain to see.
 */
class ExcludeSeenTopologyTest {

  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
  private static final int LIST_LENGTH = 5;

  private BatchedVariantsDriver driver;

  @AfterEach
  void closeDriver() {
    if (driver != null) {
      driver.close();
    }
  }

  /** p1 (10 clicks) ... p10 (1 click). */
  private static PopularityScorer popular() {
    final Map<String, Long> counts = new LinkedHashMap<>();
    for (int i = 1; i <= 10; i++) {
      counts.put("p" + i, 11L - i);
    }
    return PopularityScorer.fromCounts(new ModelInfo("popular", "1"), counts, 10);
  }

  private void start(final String option) {
    final InSessionConfig config =
        InSessionConfig.of(
            Map.of(
                InSessionConfig.RULE_EXCLUDE_SEEN,
                option,
                InSessionConfig.RECOMMENDATIONS_COUNT,
                String.valueOf(LIST_LENGTH)));
    driver =
        new BatchedVariantsDriver(
            new CurrentVariants(ScorerVariants.single(popular())),
            TopologySettings.from(config).withBatching(1, 1),
            new SimpleMeterRegistry(),
            "exclude-seen-test");
  }

  private void send(final WeblogEvent event) {
    driver.pipe(event);
  }

  /** Views p1, p2, buys p3, views p4: the list after the last event. */
  private List<String> listAfterTheSession() {
    send(view("s", "e1", "p1", T0));
    send(view("s", "e2", "p2", T0.plusSeconds(1)));
    send(event("s", "e3", EventType.PURCHASE, "p3", T0.plusSeconds(2)));
    send(view("s", "e4", "p4", T0.plusSeconds(3)));
    final List<RecommendationList> lists = driver.lists();
    assertThat(lists).hasSize(4);
    return lists.get(3).getItems().stream().map(ScoredItem::getItemId).toList();
  }

  static Stream<Arguments> options() {
    return Stream.of(
        Arguments.of("off", List.of("p1", "p2", "p3", "p4", "p5")),
        Arguments.of("false", List.of("p1", "p2", "p3", "p4", "p5")),
        Arguments.of("bought", List.of("p1", "p2", "p4", "p5", "p6")),
        Arguments.of("last:1", List.of("p1", "p2", "p3", "p5", "p6")),
        Arguments.of("last:2", List.of("p1", "p2", "p5", "p6", "p7")),
        Arguments.of("all", List.of("p5", "p6", "p7", "p8", "p9")),
        Arguments.of("true", List.of("p5", "p6", "p7", "p8", "p9")));
  }

  @ParameterizedTest(name = "exclude.seen={0}")
  @MethodSource("options")
  void shouldServeTheListEachSeenItemsOptionAsksFor(
      final String option, final List<String> expected) {
    start(option);

    assertThat(listAfterTheSession()).isEqualTo(expected);
  }

  @Test
  void shouldRememberPurchasesInTheSessionStateAndKeepExcludingThem() {
    start("bought");

    assertThat(listAfterTheSession()).doesNotContain("p3");
    send(view("s", "e5", "p3", T0.plusSeconds(4)));
    send(event("s", "e6", EventType.PURCHASE, "p1", T0.plusSeconds(5)));
    send(event("s", "e7", EventType.PURCHASE, "p3", T0.plusSeconds(6)));

    final List<RecommendationList> lists = driver.lists();
    assertThat(lists.get(0).getItems()).extracting(ScoredItem::getItemId).doesNotContain("p3");
    assertThat(lists.get(2).getItems())
        .extracting(ScoredItem::getItemId)
        .containsExactly("p2", "p4", "p5", "p6", "p7");
    final SessionState state = driver.sessions().get("s");
    // each item once, the latest purchase last
    assertThat(state.getBoughtItems()).containsExactly("p1", "p3");
  }
}
