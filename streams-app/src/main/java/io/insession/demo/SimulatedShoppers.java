package io.insession.demo;

import io.insession.catalog.SyntheticCatalog;
import io.insession.data.Click;
import io.insession.schemas.CatalogItem;
import io.insession.schemas.EventType;
import io.insession.schemas.RecommendationList;
import io.insession.schemas.ScoredItem;
import io.insession.schemas.WeblogEvent;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * SIMULATED shoppers: recorded sessions replayed by visitors who act on the lists the topology
 * shows them. Each session's recorded views are sent in order, as {@link SessionReplayer} sends
 * them; after each, its visitor waits for the list that view triggered (read off the
 * recommendations topic: {@link #accept}) and decides on it with the {@link ShopperModel}: maybe it
 * clicks an item of the list (a PRODUCT_VIEW carrying the list's {@code recommendationId}), adds it
 * to the cart, buys it (a PURCHASE with the item's price from the demo's synthetic catalogue, the
 * quantity, the currency and an order id); then its next recorded view follows (unless the click
 * was that view). A visitor waits for the list of each of its events before its next one, as a
 * person sees a page before acting on it, so every decision is on the list of the visitor's last
 * event, and the events of a session are the same on every run with the same seed and model.
 *
 * <p>Every event a shopper makes up carries the attribute {@code source=SIMULATED}, its order ids
 * start with {@code SIMULATED-}, and each decision it prints says SIMULATED. Up to {@value
 * #VISITORS_AT_ONCE} sessions are on the site at once, their events sent at the given rate.
 */
public final class SimulatedShoppers implements Consumer<RecommendationList> {

  /** The attribute that marks an event a simulated shopper made up. */
  public static final String SOURCE_ATTRIBUTE = "source";

  /** Its value. */
  public static final String SIMULATED = "SIMULATED";

  /** The currency of the simulated purchases (the synthetic catalogue's). */
  static final String CURRENCY = "EUR";

  /** Sessions on the site at once. */
  static final int VISITORS_AT_ONCE = 20;

  private static final long WAIT_MILLIS = 200;

  private final ShopperModel model;
  private final Producer<String, WeblogEvent> producer;
  private final String topic;
  private final Clock clock;
  private final PrintStream out;

  /** Lists not yet acted on, by the id of the event that triggered them; guarded by this. */
  private final Map<String, RecommendationList> listsByTrigger = new HashMap<>();

  /** What the shoppers did, by variant; guarded by this. */
  private final Map<String, Tally> tallies = new TreeMap<>();

  /**
   * @param topic the weblog topic
   * @param out where each decision that clicked is shown
   */
  public SimulatedShoppers(
      final ShopperModel model,
      final Producer<String, WeblogEvent> producer,
      final String topic,
      final Clock clock,
      final PrintStream out) {
    this.model = model;
    this.producer = producer;
    this.topic = topic;
    this.clock = clock;
    this.out = out;
  }

  /** A list from the recommendations topic: the visitor whose event triggered it acts on it. */
  @Override
  public synchronized void accept(final RecommendationList list) {
    listsByTrigger.put(list.getTriggerEventId(), list);
    notifyAll();
  }

  /**
   * Replays {@code sessions} with their visitors acting on their lists, {@code eventsPerSecond}
   * events per second; returns when every visitor is done and has had the list of its last event,
   * when {@code stop} says so, or when a list is not in within {@code listTimeout}.
   *
   * @param onSent called with each event as it is handed to the producer
   */
  public Result run(
      final Map<String, List<Click>> sessions,
      final double eventsPerSecond,
      final Duration listTimeout,
      final Consumer<WeblogEvent> onSent,
      final BooleanSupplier stop)
      throws InterruptedException {
    if (!(eventsPerSecond > 0)) {
      throw new IllegalArgumentException("eventsPerSecond must be positive: " + eventsPerSecond);
    }
    final Deque<Visitor> arriving = new ArrayDeque<>();
    sessions.forEach((id, clicks) -> arriving.add(new Visitor(id, clicks)));
    final List<Visitor> onSite = new ArrayList<>();
    final long intervalNanos = (long) (TimeUnit.SECONDS.toNanos(1) / eventsPerSecond);
    final long start = System.nanoTime();
    int sent = 0;
    int done = 0;
    int cursor = 0;
    while (!stop.getAsBoolean()) {
      while (onSite.size() < VISITORS_AT_ONCE && !arriving.isEmpty()) {
        onSite.add(arriving.poll());
      }
      if (onSite.isEmpty()) {
        break;
      }
      Visitor visitor = null;
      RecommendationList list = null;
      synchronized (this) {
        for (int i = 0; i < onSite.size() && visitor == null; i++) {
          final int index = (cursor + i) % onSite.size();
          final Visitor candidate = onSite.get(index);
          if (candidate.pending == null || listsByTrigger.containsKey(candidate.pending)) {
            visitor = candidate;
            list = candidate.pending == null ? null : listsByTrigger.remove(candidate.pending);
            cursor = index + 1;
          }
        }
        if (visitor == null) {
          if (overdue(onSite, listTimeout)) {
            producer.flush();
            return new Result(sent, done, true);
          }
          wait(WAIT_MILLIS);
          continue;
        }
      }
      final Optional<Function<Instant, WeblogEvent>> next = visitor.next(list);
      if (next.isEmpty()) {
        onSite.remove(visitor);
        done++;
        continue;
      }
      final long wait = start + sent * intervalNanos - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      final WeblogEvent event = next.get().apply(clock.instant());
      producer.send(
          new ProducerRecord<>(
              topic, null, event.getEventTime().toEpochMilli(), event.getSessionId(), event));
      visitor.pending = event.getEventId();
      visitor.pendingSince = System.nanoTime();
      onSent.accept(event);
      sent++;
    }
    producer.flush();
    return new Result(sent, done, false);
  }

  private static boolean overdue(final List<Visitor> onSite, final Duration timeout) {
    final long now = System.nanoTime();
    for (final Visitor visitor : onSite) {
      if (visitor.pending != null && now - visitor.pendingSince > timeout.toNanos()) {
        return true;
      }
    }
    return false;
  }

  /** What the shoppers did with the lists of {@code variant} (zeros when none). */
  public synchronized Tally tally(final String variant) {
    return new Tally(tallies.getOrDefault(variant, new Tally()));
  }

  /** A line per variant: what the SIMULATED shoppers did with its lists. */
  public synchronized String summary() {
    final StringBuilder text = new StringBuilder();
    tallies.forEach(
        (variant, t) ->
            text.append(
                String.format(
                    Locale.ROOT,
                    "SIMULATED shoppers, variant %s: looked at %d lists, clicked %d (%d on an item"
                        + " the session views), added %d to the cart, bought %d (%d units,"
                        + " %.2f %s)%n",
                    variant,
                    t.looked,
                    t.clicked,
                    t.wanted,
                    t.carted,
                    t.orders,
                    t.units,
                    t.revenue,
                    CURRENCY)));
    return text.toString();
  }

  /** The unit price of {@code itemId} in the demo's synthetic catalogue. */
  static double price(final String itemId) {
    final CatalogItem item =
        SyntheticCatalog.item(itemId, CatalogShowcase.CATALOG_SEED, Instant.EPOCH);
    return item.getPrice().doubleValue();
  }

  /** A PRODUCT_VIEW of {@code itemId} clicked in the list {@code recommendationId}. */
  static WeblogEvent click(
      final String sessionId,
      final String itemId,
      final String recommendationId,
      final Instant now) {
    return simulated(sessionId, EventType.PRODUCT_VIEW, itemId, now)
        .setRecommendationId(recommendationId)
        .build();
  }

  /** An ADD_TO_CART of {@code units} of {@code itemId}. */
  static WeblogEvent addToCart(
      final String sessionId, final String itemId, final int units, final Instant now) {
    return simulated(sessionId, EventType.ADD_TO_CART, itemId, now).setQuantity(units).build();
  }

  /**
   * A PURCHASE of {@code units} of {@code itemId} at its synthetic price, order {@code orderId}.
   */
  static WeblogEvent purchase(
      final String sessionId,
      final String itemId,
      final int units,
      final String orderId,
      final Instant now) {
    return simulated(sessionId, EventType.PURCHASE, itemId, now)
        .setPrice(price(itemId))
        .setQuantity(units)
        .setCurrency(CURRENCY)
        .setOrderId(orderId)
        .build();
  }

  private static WeblogEvent.Builder simulated(
      final String sessionId, final EventType type, final String itemId, final Instant now) {
    return WeblogEvent.newBuilder()
        .setEventId(UUID.randomUUID().toString())
        .setSessionId(sessionId)
        .setEventType(type)
        .setItemId(itemId)
        .setEventTime(now)
        .setAttributes(Map.of(SOURCE_ATTRIBUTE, SIMULATED));
  }

  /** The shoppers' own counts for one variant's lists. */
  public static final class Tally {
    private int looked;
    private int clicked;
    private int wanted;
    private int carted;
    private int orders;
    private int units;
    private double revenue;

    Tally() {}

    private Tally(final Tally other) {
      looked = other.looked;
      clicked = other.clicked;
      wanted = other.wanted;
      carted = other.carted;
      orders = other.orders;
      units = other.units;
      revenue = other.revenue;
    }

    /** Lists a shopper decided on. */
    public int looked() {
      return looked;
    }

    /** Lists a shopper clicked an item of. */
    public int clicked() {
      return clicked;
    }

    /** Orders placed. */
    public int orders() {
      return orders;
    }

    /** Σ price × units of the orders. */
    public double revenue() {
      return revenue;
    }
  }

  /**
   * How a replay ended.
   *
   * @param sent events sent
   * @param sessions sessions whose visitor is done
   * @param stalled whether it gave up waiting for a list
   */
  public record Result(int sent, int sessions, boolean stalled) {}

  /** One session's visitor: its recorded views, and what it decided to do on top of them. */
  private final class Visitor {
    private final String sessionId;
    private final List<Click> clicks;
    private final Deque<Function<Instant, WeblogEvent>> plan = new ArrayDeque<>();

    /** Recorded views sent (or clicked from a list). */
    private int position;

    /** The value of {@link #position} at the latest decision (-1: none yet). */
    private int decidedAt = -1;

    private RecommendationList lastList;
    private String pending;
    private long pendingSince;

    Visitor(final String sessionId, final List<Click> clicks) {
      this.sessionId = sessionId;
      this.clicks = clicks;
    }

    /**
     * The visitor's next event, given the list of its previous one (null before its first).
     *
     * @return empty when the visitor is done
     */
    Optional<Function<Instant, WeblogEvent>> next(final RecommendationList list) {
      if (list != null) {
        lastList = list;
      }
      if (plan.isEmpty() && position == 0 && !clicks.isEmpty()) {
        final Click first = clicks.get(position++);
        plan.add(now -> SessionReplayer.toEvent(first, now));
      } else if (plan.isEmpty() && decidedAt < position && lastList != null) {
        decide();
      }
      return Optional.ofNullable(plan.poll());
    }

    /** Decides on the list of the last event; plans what follows. */
    private void decide() {
      final int step = position - 1;
      decidedAt = position;
      final List<String> ahead =
          clicks.subList(position, clicks.size()).stream().map(Click::itemId).toList();
      final List<String> shown = lastList.getItems().stream().map(ScoredItem::getItemId).toList();
      final Optional<ShopperModel.Choice> choice = model.decide(sessionId, step, shown, ahead);
      final String variant = lastList.getVariant();
      final String listId = lastList.getRecommendationId();
      synchronized (SimulatedShoppers.this) {
        tallies.computeIfAbsent(variant, v -> new Tally()).looked++;
      }
      choice.ifPresent(c -> act(c, step, variant, listId));
      if (position < clicks.size()) {
        final Click recorded = clicks.get(position++);
        if (choice.isEmpty() || !choice.get().itemId().equals(recorded.itemId())) {
          plan.add(now -> SessionReplayer.toEvent(recorded, now));
        }
      }
    }

    private void act(
        final ShopperModel.Choice choice,
        final int step,
        final String variant,
        final String listId) {
      final String item = choice.itemId();
      plan.add(now -> click(sessionId, item, listId, now));
      final StringBuilder line =
          new StringBuilder(
              String.format(
                  Locale.ROOT,
                  "SIMULATED shopper, session %s: clicked %s (rank %d of the %s list%s)",
                  sessionId,
                  item,
                  choice.rank(),
                  variant,
                  choice.wanted() ? ", an item the session views" : ""));
      double value = 0;
      if (choice.addToCart()) {
        plan.add(now -> addToCart(sessionId, item, choice.units(), now));
        line.append(" → cart");
      }
      if (choice.buy()) {
        final String orderId = SIMULATED + "-" + sessionId + "-" + step;
        plan.add(now -> purchase(sessionId, item, choice.units(), orderId, now));
        value = price(item) * choice.units();
        line.append(
            String.format(
                Locale.ROOT,
                " → bought %d × %.2f %s (order %s)",
                choice.units(),
                price(item),
                CURRENCY,
                orderId));
      }
      synchronized (SimulatedShoppers.this) {
        final Tally tally = tallies.computeIfAbsent(variant, v -> new Tally());
        tally.clicked++;
        tally.wanted += choice.wanted() ? 1 : 0;
        tally.carted += choice.addToCart() ? 1 : 0;
        tally.orders += choice.buy() ? 1 : 0;
        tally.units += choice.buy() ? choice.units() : 0;
        tally.revenue += value;
      }
      out.println(line);
    }
  }
}
