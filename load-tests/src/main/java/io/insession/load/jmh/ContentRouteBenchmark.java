package io.insession.load.jmh;

import io.insession.catalog.SyntheticCatalog;
import io.insession.config.ExcludeSeenSpec;
import io.insession.content.ContentIndex;
import io.insession.content.ContentSettings;
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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
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
 * The cost per event of the rule chain with and without the content route, as medians (JMH's sample
 * mode prints p0.50 per setting): one list ranked from the model's real top-K for a real event of a
 * session with a few recent items (tiny bundle by default; scored once in set-up). The catalogue is
 * SYNTHETIC and in RocksDB (a get plus an Avro decode per lookup, as the global store): the
 * bundle's items plus {@code extraItems} more listed weeks ago, and {@code newItems} listed in the
 * last day; the content index holds all of them. {@code unknownPercent} of the events view a new
 * item (unknown to the model): their candidates are the popularity fallback, and the content route
 * makes their lists content-based.
 *
 * <p>{@code load-tests/run jmh 'io.insession.load.jmh.ContentRouteBenchmark'}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ContentRouteBenchmark {

  /** The catalogue rules without the route. */
  static final String RULES = "available+exclude-seen+category-cap+campaigns";

  @Param(ScorerState.DEFAULT_BUNDLE)
  public String bundle;

  @Param({RULES, "content+" + RULES})
  public String chain;

  @Param({"0", "20"})
  public int unknownPercent;

  @Param("100000")
  public int extraItems;

  @Param("1000")
  public int newItems;

  /** Lists of real events, ranked round robin. */
  private static final int LISTS = 256;

  private static final int LENGTH = 10;

  private OnnxGruScorer scorer;
  private CatalogDb db;
  private RuleChain rules;
  private final List<List<Candidate>> candidates = new ArrayList<>(LISTS);
  private final List<SessionView> sessions = new ArrayList<>(LISTS);
  private int next;

  @Setup
  public void setUp() throws IOException, RocksDBException {
    final ModelBundle model = ScorerState.bundle(bundle);
    scorer = ScorerState.scorer(model);
    db = new CatalogDb();
    final ContentSettings content = ContentSettings.defaults();
    final ContentIndex index = new ContentIndex(content.itemsPerToken());
    final Instant now = Instant.now();
    final List<CatalogItem> catalogue = new ArrayList<>();
    for (int i = 0; i < model.numItems() + extraItems; i++) {
      final String id = i < model.numItems() ? model.itemId(i) : "extra-" + i;
      catalogue.add(SyntheticCatalog.item(id, 1, now.minus(Duration.ofDays(30))));
    }
    final SplittableRandom random = new SplittableRandom(7);
    final List<String> fresh = new ArrayList<>(newItems);
    for (int i = 0; i < newItems; i++) {
      final String id = "new-" + i;
      fresh.add(id);
      catalogue.add(
          CatalogItem.newBuilder(SyntheticCatalog.item(id, 1, now))
              .setFirstSeen(now.minusSeconds(random.nextInt(86_400)))
              .build());
    }
    for (final CatalogItem item : catalogue) {
      db.put(item);
    }
    index.reloaded(catalogue.iterator());
    final List<StepRequest> requests = ScorerState.requests(scorer, LISTS, 42);
    final List<StepResult> results = scorer.stepAll(requests);
    for (int i = 0; i < LISTS; i++) {
      final StepRequest request = requests.get(i);
      final boolean unknown = random.nextInt(100) < unknownPercent;
      final List<String> recent = new ArrayList<>(request.recentItems());
      recent.add(unknown ? fresh.get(random.nextInt(fresh.size())) : request.itemId());
      candidates.add(
          unknown
              ? scorer.fallback(results.get(i).candidates().size())
              : results.get(i).candidates());
      sessions.add(new SessionView("s" + i, recent, List.of(), unknown));
    }
    final RuleSettings settings = RuleChainBenchmark.settings(chain).withContent(content);
    rules =
        new VariantRuleChains(settings, ExcludeSeenSpec.ALL, LENGTH, db, index, Clock.systemUTC())
            .of("bench");
  }

  @TearDown
  public void tearDown() throws IOException {
    db.close();
    scorer.close();
  }

  /** One event's list: the chain, backfill from the popularity fallback when short, the cut. */
  @Benchmark
  public List<Candidate> rankOneList() {
    final int i = next++ & (LISTS - 1);
    return rules.rank(candidates.get(i), scorer::fallback, sessions.get(i), (rule, removed) -> {});
  }
}
