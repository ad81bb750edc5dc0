package io.insession.load.jmh;

import io.insession.catalog.SyntheticCatalog;
import io.insession.config.CampaignSpec;
import io.insession.config.ExcludeSeenSpec;
import io.insession.config.RuleChainSpec;
import io.insession.rules.RuleChain;
import io.insession.rules.RuleSettings;
import io.insession.rules.SessionView;
import io.insession.rules.VariantRuleChains;
import io.insession.schemas.CatalogItem;
import io.insession.scoring.Candidate;
import io.insession.scoring.ModelBundle;
import io.insession.scoring.OnnxGruScorer;
import io.insession.scoring.StepRequest;
import io.insession.scoring.StepResult;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.rocksdb.RocksDBException;

/**
 * The rule chain's cost per event, without the model: one list ranked from the model's real top-K
 * for a real event (tiny bundle by default; computed once in set-up), every catalogue lookup a
 * RocksDB get plus the Avro decode of the record (what the streams app's global store does), the
 * catalogue synthetic: the bundle's items plus {@code extraItems} more. {@code soldOutPercent} of
 * the bundle's items are out of stock, which makes lists short and the backfill run.
 *
 * <p>{@code load-tests/run jmh 'io.insession.load.jmh.RuleChainBenchmark'}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class RuleChainBenchmark {

  /** The chain shops with a catalogue would use. */
  static final String FULL = "available+exclude-seen+category-cap+campaigns";

  @Param(ScorerState.DEFAULT_BUNDLE)
  public String bundle;

  @Param({"exclude-seen", FULL})
  public String chain;

  @Param({"0", "75"})
  public int soldOutPercent;

  @Param("100000")
  public int extraItems;

  /** Candidate lists of real events, ranked round robin. */
  private static final int LISTS = 256;

  private static final int LENGTH = 10;

  private OnnxGruScorer scorer;
  private CatalogDb db;
  private RuleChain rules;
  private List<List<Candidate>> candidates;
  private List<SessionView> sessions;
  private int next;

  @Setup
  public void setUp() throws IOException, RocksDBException {
    final ModelBundle model = ScorerState.bundle(bundle);
    scorer = ScorerState.scorer(model);
    final List<StepRequest> requests = ScorerState.requests(scorer, LISTS, 42);
    candidates = new ArrayList<>(LISTS);
    sessions = new ArrayList<>(LISTS);
    final List<StepResult> results = scorer.stepAll(requests);
    for (int i = 0; i < LISTS; i++) {
      candidates.add(results.get(i).candidates());
      sessions.add(new SessionView("s" + i, List.of(requests.get(i).itemId())));
    }
    db = new CatalogDb();
    final Instant now = Instant.now();
    for (int i = 0; i < model.numItems() + extraItems; i++) {
      final String id = i < model.numItems() ? model.itemId(i) : "extra-" + i;
      db.put(
          CatalogItem.newBuilder(SyntheticCatalog.item(id, 1, now))
              .setInStock(Math.floorMod(id.hashCode(), 100) >= soldOutPercent)
              .build());
    }
    rules =
        new VariantRuleChains(settings(chain), ExcludeSeenSpec.ALL, LENGTH, db, Clock.systemUTC())
            .of("bench");
  }

  /** The rules of {@code chain} (names joined by '+'), with a category cap and two campaigns. */
  static RuleSettings settings(final String chain) {
    return RuleSettings.defaults()
        .withChain(RuleChainSpec.parseChain(Arrays.asList(chain.split("\\+"))))
        .withCategoryCap(3, 1)
        .withCampaigns(
            CampaignSpec.parseAll(List.of("brand=Synthetic Acme:+0.5", "attr.colour=red:-0.25")));
  }

  @TearDown
  public void tearDown() throws IOException {
    db.close();
    scorer.close();
  }

  /** One event's list: rules, backfill from the popularity fallback when short, the cut. */
  @Benchmark
  public List<Candidate> rankOneList() {
    final int i = next++ & (LISTS - 1);
    return rules.rank(candidates.get(i), scorer::fallback, sessions.get(i), (rule, removed) -> {});
  }
}
