package io.insession.experiments;

import io.insession.schemas.EventType;
import io.insession.schemas.RecommendationList;
import io.insession.schemas.ScoredItem;
import io.insession.schemas.SessionAttribution;
import io.insession.schemas.ShownList;
import io.insession.schemas.WeblogEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The attribution rule, as pure functions of a session's {@link SessionAttribution}
 * (docs/experiments.md).
 *
 * <p>A session takes the variant of its first list, and its experiment (the variant set's salt) and
 * cohort window then; it keeps them for its life. Each list it is shown joins its last {@code N}
 * lists ({@code insession.experiments.attribution.lists}; the oldest leaves). A product view,
 * add-to-cart or purchase of item {@code i} is attributed to a list when the event carries that
 * list's {@code recommendationId} and the list is one of the last N, or else (no id, or an older
 * one) to the latest of the last N lists that holds {@code i}; never to the list the event itself
 * triggered (a list can only lead to an event it was shown before). Every event counts for the
 * session's variant whether or not a list led to it: the session-level figures (add-to-cart,
 * conversion, orders, revenue) are the whole session's, as an A/B comparison needs.
 */
final class SessionAttributions {

  private SessionAttributions() {}

  /** A new session, seen first at {@code eventTime} (its time) and {@code now} (the wall clock). */
  static SessionAttribution start(final Instant eventTime, final Instant now) {
    return SessionAttribution.newBuilder()
        .setLastEventAt(eventTime)
        .setLastSeenAt(now)
        .setRecentEventIds(new ArrayList<>())
        .setRecentLists(new ArrayList<>())
        .setRecentOrderIds(new ArrayList<>())
        .build();
  }

  /**
   * Whether something at {@code eventTime} belongs to {@code session}: no more than the gap after
   * its latest time (an earlier time, a late event, belongs).
   */
  static boolean continues(
      final SessionAttribution session, final Instant eventTime, final long gapMs) {
    return eventTime.toEpochMilli() - session.getLastEventAt().toEpochMilli() <= gapMs;
  }

  /**
   * The session after it was shown {@code list}: the list joins the last {@code maxLists}; the
   * first list names the variant, the experiment and the cohort window.
   */
  static SessionAttribution shown(
      final SessionAttribution session,
      final RecommendationList list,
      final String experimentId,
      final ExperimentSettings settings,
      final Instant now) {
    final SessionAttribution.Builder next = SessionAttribution.newBuilder(session);
    if (session.getVariant() == null) {
      next.setVariant(list.getVariant())
          .setExperimentId(experimentId)
          .setCohortStart(
              Instant.ofEpochMilli(
                  settings.windowStart(list.getTriggerEventTime().toEpochMilli())));
    }
    final List<String> items = new ArrayList<>(list.getItems().size());
    for (final ScoredItem item : list.getItems()) {
      items.add(item.getItemId());
    }
    final List<ShownList> lists = new ArrayList<>(session.getRecentLists());
    lists.add(
        ShownList.newBuilder()
            .setRecommendationId(list.getRecommendationId())
            .setTriggerEventId(list.getTriggerEventId())
            .setItems(items)
            .setClicked(false)
            .build());
    return next.setRecentLists(keepLast(lists, settings.attributionLists()))
        .setLists(session.getLists() + 1)
        .setLastEventAt(later(session.getLastEventAt(), list.getTriggerEventTime()))
        .setLastSeenAt(now)
        .build();
  }

  /** Whether the session counted {@code event} already (a retried or duplicated event). */
  static boolean seen(final SessionAttribution session, final WeblogEvent event) {
    return session.getRecentEventIds().contains(event.getEventId());
  }

  /**
   * The session after {@code event}: its outcome (add-to-cart, purchase, order, revenue) and what
   * is attributed to which of its lists.
   *
   * @param recentEventIds how many event ids the session remembers against duplicates
   */
  static SessionAttribution after(
      final SessionAttribution session,
      final WeblogEvent event,
      final int recentEventIds,
      final Instant now) {
    final List<String> eventIds = new ArrayList<>(session.getRecentEventIds());
    eventIds.add(event.getEventId());
    final SessionAttribution.Builder next =
        SessionAttribution.newBuilder(session)
            .setRecentEventIds(keepLast(eventIds, recentEventIds))
            .setLastEventAt(later(session.getLastEventAt(), event.getEventTime()))
            .setLastSeenAt(now);
    final EventType type = event.getEventType();
    if (event.getItemId() == null
        || !(type == EventType.PRODUCT_VIEW
            || type == EventType.ADD_TO_CART
            || type == EventType.PURCHASE)) {
      return next.build();
    }
    final List<ShownList> lists = new ArrayList<>(session.getRecentLists());
    final int led = leadingList(lists, event);
    switch (type) {
      case PRODUCT_VIEW -> {
        if (led >= 0) {
          next.setClicks(session.getClicks() + 1);
          final ShownList list = lists.get(led);
          if (!list.getClicked()) {
            lists.set(led, ShownList.newBuilder(list).setClicked(true).build());
            next.setClickedLists(session.getClickedLists() + 1).setRecentLists(lists);
          }
        }
      }
      case ADD_TO_CART -> {
        next.setAddToCarts(session.getAddToCarts() + 1);
        if (led >= 0) {
          next.setAttributedAddToCarts(session.getAttributedAddToCarts() + 1);
        }
      }
      default -> purchase(session, event, led >= 0, next);
    }
    return next.build();
  }

  /** Counts a purchase: revenue price × quantity, one order per order id (or per event). */
  private static void purchase(
      final SessionAttribution session,
      final WeblogEvent event,
      final boolean attributed,
      final SessionAttribution.Builder next) {
    final double value = value(event);
    next.setPurchases(session.getPurchases() + 1).setRevenue(session.getRevenue() + value);
    final String orderId = event.getOrderId();
    if (orderId == null) {
      next.setOrders(session.getOrders() + 1);
    } else if (!session.getRecentOrderIds().contains(orderId)) {
      final List<String> orders = new ArrayList<>(session.getRecentOrderIds());
      orders.add(orderId);
      next.setOrders(session.getOrders() + 1)
          .setRecentOrderIds(keepLast(orders, ExperimentSettings.RECENT_ORDER_IDS));
    }
    if (attributed) {
      next.setAttributedPurchases(session.getAttributedPurchases() + 1)
          .setAttributedRevenue(session.getAttributedRevenue() + value);
    }
  }

  /** A purchase's value: price × quantity (no quantity: 1; no price: 0). */
  static double value(final WeblogEvent event) {
    if (event.getPrice() == null) {
      return 0;
    }
    final int quantity = event.getQuantity() == null ? 1 : event.getQuantity();
    return event.getPrice() * quantity;
  }

  /**
   * Index in {@code lists} of the list that led to {@code event}, or -1: the one whose id it
   * carries, else the latest holding its item; never the one it triggered.
   */
  private static int leadingList(final List<ShownList> lists, final WeblogEvent event) {
    final String carried = event.getRecommendationId();
    if (carried != null) {
      for (int i = lists.size() - 1; i >= 0; i--) {
        if (carried.equals(lists.get(i).getRecommendationId())
            && !triggeredBy(lists.get(i), event)) {
          return i;
        }
      }
    }
    for (int i = lists.size() - 1; i >= 0; i--) {
      if (lists.get(i).getItems().contains(event.getItemId())
          && !triggeredBy(lists.get(i), event)) {
        return i;
      }
    }
    return -1;
  }

  private static boolean triggeredBy(final ShownList list, final WeblogEvent event) {
    return list.getTriggerEventId().equals(event.getEventId());
  }

  private static <T> List<T> keepLast(final List<T> values, final int max) {
    return values.size() <= max
        ? values
        : new ArrayList<>(values.subList(values.size() - max, values.size()));
  }

  private static Instant later(final Instant a, final Instant b) {
    return a.isAfter(b) ? a : b;
  }
}
