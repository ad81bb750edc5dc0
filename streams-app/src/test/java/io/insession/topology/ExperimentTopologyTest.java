package io.insession.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.insession.config.InSessionConfig;
import io.insession.experiments.ExperimentSettings;
import io.insession.experiments.Intervals;
import io.insession.kafka.Topics;
import io.insession.schemas.EventType;
import io.insession.schemas.ExperimentKpis;
import io.insession.schemas.Kpi;
import io.insession.schemas.RecommendationList;
import io.insession.schemas.ScoredItem;
import io.insession.schemas.VariantKpis;
import io.insession.schemas.WeblogEvent;
import io.insession.scoring.CurrentVariants;
import io.insession.scoring.OnnxGruScorer;
import io.insession.scoring.PopularityScorer;
import io.insession.scoring.ScorerVariant;
import io.insession.scoring.ScorerVariants;
import io.insession.testing.TestModels;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestOutputTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Attribution and KPI arithmetic on the whole topology (micro-batched, production Streams
 * properties), two variants: {@code control} (most popular items of the tiny bundle) and {@code
 * gru} (the tiny bundle). Each test sends a hand-made event sequence, one event per batch (each
 * list is shown before the next event), and checks the KPIs on the experiment topic against counts
 * worked out by hand in the comments.
 */
class ExperimentTopologyTest {

  private static final String EXPERIMENT = "experiment-topology-test";
  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
  private static final long HOUR = 3_600_000L;
  private static final long EMIT_MS = 1_000L;
  private static final double Z95 = Intervals.z(0.95);

  private static OnnxGruScorer gru;
  private static ScorerVariants variants;

  private BatchedVariantsDriver driver;
  private TestOutputTopic<String, ExperimentKpis> experiments;
  private final Map<String, List<RecommendationList>> shown = new HashMap<>();

  @BeforeAll
  static void loadModels() {
    gru = TestModels.tinyGruScorer();
    variants =
        ScorerVariants.of(
            List.of(
                new ScorerVariant("control", 1, PopularityScorer.fromBundle(gru.bundle())),
                new ScorerVariant("gru", 1, gru)),
            EXPERIMENT);
  }

  @AfterAll
  static void closeModels() {
    variants.close();
  }

  @BeforeEach
  void startDriver() {
    final TopologySettings settings =
        TopologySettings.unbatched(BatchedVariantsDriver.GAP, 1_000L, 50, 10, false)
            .withBatching(64, BatchedVariantsDriver.BATCH_DELAY_MS)
            .withExperiments(new ExperimentSettings(true, 5, HOUR, 24, EMIT_MS, "control", 0.95));
    driver =
        new BatchedVariantsDriver(
            new CurrentVariants(variants),
            settings,
            new SimpleMeterRegistry(),
            "experiment-topology-test");
    experiments = driver.output(Topics.from(InSessionConfig.of(Map.of())).experiments());
  }

  @AfterEach
  void closeDriver() {
    driver.close();
  }

  @Test
  void shouldAttributeEventsToListsAndComputeEachVariantsKpisWithIntervalsAndLifts() {
    final String c1 = sessionOf("control", 0);
    final String c2 = sessionOf("control", 1);
    final String c3 = sessionOf("control", 2);
    final String g1 = sessionOf("gru", 0);
    final String g2 = sessionOf("gru", 1);
    final String a0 = TestModels.tinyItemId(0);

    // c1 (window 10:00): 6 events, 6 lists
    send(event(c1, "e1", EventType.PRODUCT_VIEW, a0, 0));
    final RecommendationList c1first = last(c1);
    final String x1 = c1first.getItems().get(0).getItemId();
    final String x2 = c1first.getItems().get(1).getItemId();
    // e2 views x1 of the first list, the only list shown before it (a list never leads to the
    // event that triggered it): a click, the first list is clicked
    send(event(c1, "e2", EventType.PRODUCT_VIEW, x1, 1));
    // e3 carries the first list's id: a click on it, already clicked. Clicks 2, clicked lists 1
    send(withList(event(c1, "e3", EventType.PRODUCT_VIEW, x2, 2), c1first));
    // an add-to-cart and two purchases of one order, all of listed items: revenue 2 x 10 + 5
    send(event(c1, "e4", EventType.ADD_TO_CART, x1, 3));
    send(purchase(event(c1, "e5", EventType.PURCHASE, x1, 4), 10.0, 2, "o1"));
    send(purchase(event(c1, "e6", EventType.PURCHASE, x2, 5), 5.0, null, "o1"));

    // c2 (window 10:00): a view and a purchase of an item in none of its lists
    send(event(c2, "e1", EventType.PRODUCT_VIEW, a0, 10));
    final String outside = notIn(last(c2));
    send(event(c2, "e2", EventType.PRODUCT_VIEW, outside, 11));
    send(purchase(event(c2, "e3", EventType.PURCHASE, outside, 12), 40.0, 1, "o2"));
    for (final RecommendationList list : shown.get(c2)) {
      assertThat(ids(list)).doesNotContain(outside);
    }

    // c3 (window 11:00): one view, nothing else
    send(event(c3, "e1", EventType.PRODUCT_VIEW, a0, HOUR / 1000 + 5));

    // g1 (window 10:00): a click by the list's id, the click again (a retry), a purchase
    send(event(g1, "e1", EventType.PRODUCT_VIEW, a0, 20));
    final RecommendationList g1first = last(g1);
    final String y = g1first.getItems().get(2).getItemId();
    final WeblogEvent click = withList(event(g1, "e2", EventType.PRODUCT_VIEW, y, 21), g1first);
    send(click);
    send(click);
    send(purchase(event(g1, "e3", EventType.PURCHASE, y, 22), 30.0, 1, null));

    // g2 (window 10:00): an add-to-cart of an item in none of its lists
    send(event(g2, "e1", EventType.PRODUCT_VIEW, a0, 30));
    final String outsideG = notIn(last(g2));
    send(event(g2, "e2", EventType.ADD_TO_CART, outsideG, 31));

    assertThat(shown.get(c1)).hasSize(6);
    assertThat(shown.get(c2)).hasSize(3);
    assertThat(shown.get(c3)).hasSize(1);
    assertThat(shown.get(g1)).as("the retried click triggers no list").hasSize(3);
    assertThat(shown.get(g2)).hasSize(2);

    final Map<String, ExperimentKpis> kpis = emitted();
    final ExperimentKpis all = kpis.get(EXPERIMENT + "/all");
    assertThat(all.getExperimentId()).isEqualTo(EXPERIMENT);
    assertThat(all.getWindowStart()).isNull();
    assertThat(all.getControl()).isEqualTo("control");
    assertThat(all.getVariants())
        .extracting(VariantKpis::getVariant)
        .containsExactly("control", "gru");

    // control: c1 + c2 + c3
    final VariantKpis control = all.getVariants().get(0);
    assertThat(control.getSessions()).isEqualTo(3);
    assertThat(control.getImpressions()).isEqualTo(6 + 3 + 1);
    assertThat(control.getClickedImpressions()).isEqualTo(1);
    assertThat(control.getClicks()).isEqualTo(2);
    assertThat(control.getAddToCartSessions()).isEqualTo(1);
    assertThat(control.getAttributedAddToCarts()).isEqualTo(1);
    assertThat(control.getPurchaseSessions()).isEqualTo(2);
    assertThat(control.getAttributedPurchases()).isEqualTo(2);
    assertThat(control.getOrders()).as("o1 (two purchase events) and o2").isEqualTo(2);
    assertThat(control.getRevenue()).isEqualTo(10.0 * 2 + 5.0 + 40.0);
    assertThat(control.getAttributedRevenue()).isEqualTo(25.0);
    assertThat(control.getCtr().getEstimate()).isEqualTo(0.1);
    assertInterval(control.getConversionRate(), Intervals.wilson(2, 3, 0.95));
    assertInterval(control.getAddToCartRate(), Intervals.wilson(1, 3, 0.95));
    // revenue per session: 25, 40, 0
    assertInterval(control.getRevenuePerSession(), Intervals.mean(3, 65, 625 + 1600, 0.95));
    // average order value: revenue 65 over orders 1, 1, 0
    assertInterval(
        control.getAverageOrderValue(), Intervals.ratio(3, 65, 2, 625 + 1600, 2, 25 + 40, 0.95));
    assertThat(control.getAverageOrderValue().getEstimate()).isEqualTo(32.5);
    assertThat(control.getConversionRate().getLift()).as("no lift of the control").isNull();

    // gru: g1 + g2
    final VariantKpis treatment = all.getVariants().get(1);
    assertThat(treatment.getSessions()).isEqualTo(2);
    assertThat(treatment.getImpressions()).isEqualTo(3 + 2);
    assertThat(treatment.getClickedImpressions()).isEqualTo(1);
    assertThat(treatment.getClicks()).as("the retried click counts once").isEqualTo(1);
    assertThat(treatment.getAddToCartSessions()).isEqualTo(1);
    assertThat(treatment.getAttributedAddToCarts()).isZero();
    assertThat(treatment.getPurchaseSessions()).isEqualTo(1);
    assertThat(treatment.getAttributedPurchases()).isEqualTo(1);
    assertThat(treatment.getOrders()).as("a purchase without order id is an order").isEqualTo(1);
    assertThat(treatment.getRevenue()).isEqualTo(30.0);
    assertThat(treatment.getAttributedRevenue()).isEqualTo(30.0);
    assertThat(treatment.getCtr().getEstimate()).isEqualTo(0.2);
    // conversion 1/2 against 2/3: lift 0.5 / (2/3) - 1 = -25 %
    final Kpi conversion = treatment.getConversionRate();
    assertThat(conversion.getLift().getEstimate()).isCloseTo(-0.25, within(1e-12));
    final Intervals.Interval conversionLift =
        Intervals.lift(
            0.5, Math.sqrt(0.5 * 0.5 / 2), 2.0 / 3, Math.sqrt(2.0 / 3 * (1.0 / 3) / 3), 0.95);
    assertThat(conversion.getLift().getLow()).isCloseTo(conversionLift.low(), within(1e-12));
    assertThat(conversion.getLift().getHigh()).isCloseTo(conversionLift.high(), within(1e-12));
    // revenue per session 15 (30, 0) against 65/3: lift 15 / 21.67 - 1 = -30.8 %
    final Intervals.Interval gruRevenue = Intervals.mean(2, 30, 900, 0.95);
    final Intervals.Interval controlRevenue = Intervals.mean(3, 65, 2225, 0.95);
    assertInterval(treatment.getRevenuePerSession(), gruRevenue);
    final Intervals.Interval revenueLift =
        Intervals.lift(
            15,
            (gruRevenue.high() - gruRevenue.low()) / 2 / Z95,
            65.0 / 3,
            (controlRevenue.high() - controlRevenue.low()) / 2 / Z95,
            0.95);
    assertThat(treatment.getRevenuePerSession().getLift().getEstimate())
        .isCloseTo(15 / (65.0 / 3) - 1, within(1e-12));
    assertThat(treatment.getRevenuePerSession().getLift().getLow())
        .isCloseTo(revenueLift.low(), within(1e-9));
    assertThat(treatment.getAddToCartRate().getLift().getEstimate())
        .as("1/2 against 1/3")
        .isCloseTo(0.5, within(1e-12));

    // the windows: c3 started at 11:00, the others at 10:00
    final ExperimentKpis ten = kpis.get(EXPERIMENT + "/" + T0.toEpochMilli());
    assertThat(ten.getWindowStart()).isEqualTo(T0);
    assertThat(ten.getWindowEnd()).isEqualTo(T0.plusMillis(HOUR));
    assertThat(ten.getVariants().get(0).getSessions()).isEqualTo(2);
    assertThat(ten.getVariants().get(0).getImpressions()).isEqualTo(9);
    assertThat(ten.getVariants().get(1).getSessions()).isEqualTo(2);
    final ExperimentKpis eleven = kpis.get(EXPERIMENT + "/" + (T0.toEpochMilli() + HOUR));
    assertThat(eleven.getVariants()).extracting(VariantKpis::getVariant).containsExactly("control");
    assertThat(eleven.getVariants().get(0).getSessions()).isEqualTo(1);
    assertThat(eleven.getVariants().get(0).getImpressions()).isEqualTo(1);
    assertThat(eleven.getControl()).isEqualTo("control");
    assertThat(eleven.getVariants().get(0).getRevenuePerSession())
        .as("one session: no interval")
        .isNull();
  }

  @Test
  void shouldCountASessionResumedAfterTheGapAsANewOneAndKeepAForgottenSessionsFigures() {
    final String c1 = sessionOf("control", 0);
    final String a0 = TestModels.tinyItemId(0);
    send(event(c1, "e1", EventType.PRODUCT_VIEW, a0, 0));
    send(purchase(event(c1, "e2", EventType.PURCHASE, a0, 1), 12.0, 1, "o1"));
    // 61 s later: beyond the 60 s gap, a new session with the same id, same cohort window
    send(event(c1, "e3", EventType.PRODUCT_VIEW, a0, 62));
    // the new session is forgotten: its state goes, what it added stays
    send(event(c1, "forget", EventType.FORGET_SESSION, null, 63));
    // an event after forgetting starts a third session
    send(event(c1, "e4", EventType.PRODUCT_VIEW, a0, 64));

    final VariantKpis control = emitted().get(EXPERIMENT + "/all").getVariants().get(0);
    // sessions: (e1, e2), (e3), (e4); lists: 2 + 1 + 1; one purchase of 12
    assertThat(control.getSessions()).isEqualTo(3);
    assertThat(control.getImpressions()).isEqualTo(4);
    assertThat(control.getPurchaseSessions()).isEqualTo(1);
    assertThat(control.getRevenue()).isEqualTo(12.0);
    assertInterval(control.getRevenuePerSession(), Intervals.mean(3, 12, 144, 0.95));
    // the purchase of a0 follows the list e1 triggered, which holds a0 only if it is popular
    final boolean a0Listed = ids(shown.get(c1).get(0)).contains(a0);
    assertThat(control.getAttributedPurchases()).isEqualTo(a0Listed ? 1 : 0);
  }

  /** Sends {@code event} and lets its batch be scored; keeps the lists it triggered. */
  private void send(final WeblogEvent event) {
    driver.pipe(event);
    driver.flushBatch();
    for (final RecommendationList list : driver.lists()) {
      if (list != null) {
        shown.computeIfAbsent(list.getSessionId(), s -> new ArrayList<>()).add(list);
      }
    }
  }

  /** The latest KPIs per topic key, once the tasks have sent their sums. */
  private Map<String, ExperimentKpis> emitted() {
    driver.advance(Duration.ofMillis(EMIT_MS));
    final Map<String, ExperimentKpis> latest = new HashMap<>();
    for (final KeyValue<String, ExperimentKpis> record : experiments.readKeyValuesToList()) {
      latest.put(record.key, record.value);
    }
    return latest;
  }

  private RecommendationList last(final String session) {
    final List<RecommendationList> lists = shown.get(session);
    return lists.get(lists.size() - 1);
  }

  private static String notIn(final RecommendationList list) {
    for (int i = 0; ; i++) {
      if (!ids(list).contains(TestModels.tinyItemId(i))) {
        return TestModels.tinyItemId(i);
      }
    }
  }

  private static List<String> ids(final RecommendationList list) {
    return list.getItems().stream().map(ScoredItem::getItemId).toList();
  }

  private static void assertInterval(final Kpi kpi, final Intervals.Interval expected) {
    assertThat(kpi.getEstimate()).isCloseTo(expected.estimate(), within(1e-12));
    assertThat(kpi.getLow()).isCloseTo(expected.low(), within(1e-12));
    assertThat(kpi.getHigh()).isCloseTo(expected.high(), within(1e-12));
  }

  private static WeblogEvent event(
      final String session,
      final String id,
      final EventType type,
      final String item,
      final long seconds) {
    return WeblogEvent.newBuilder()
        .setEventId(id)
        .setSessionId(session)
        .setEventType(type)
        .setItemId(item)
        .setEventTime(T0.plusSeconds(seconds))
        .build();
  }

  private static WeblogEvent withList(final WeblogEvent event, final RecommendationList list) {
    return WeblogEvent.newBuilder(event).setRecommendationId(list.getRecommendationId()).build();
  }

  private static WeblogEvent purchase(
      final WeblogEvent event, final double price, final Integer quantity, final String orderId) {
    return WeblogEvent.newBuilder(event)
        .setPrice(price)
        .setQuantity(quantity)
        .setCurrency("EUR")
        .setOrderId(orderId)
        .build();
  }

  /** The {@code n}-th session id the set assigns to {@code variant}. */
  private static String sessionOf(final String variant, final int n) {
    int found = 0;
    for (int i = 0; ; i++) {
      final String session = "s-" + i;
      if (variants.variantFor(session).name().equals(variant) && found++ == n) {
        return session;
      }
    }
  }
}
