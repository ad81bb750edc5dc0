package io.insession.experiments;

import io.insession.schemas.KpiPartial;
import io.insession.schemas.SessionAttribution;

/**
 * What one session adds to its variant's sums. A session's figures change as its events come in;
 * the sums are kept exact by adding the difference between its contribution after and before each
 * event ({@link #minus}), so a sum of squares stays the sum over sessions of their squares.
 */
record Contribution(
    long sessions,
    long impressions,
    long clickedImpressions,
    long clicks,
    long addToCartSessions,
    long attributedAddToCarts,
    long purchaseSessions,
    long attributedPurchases,
    long orders,
    double revenue,
    double attributedRevenue,
    double revenueSquares,
    double orderSquares,
    double revenueTimesOrders) {

  static final Contribution NONE = new Contribution(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

  /** The session's contribution: none until it has a variant. */
  static Contribution of(final SessionAttribution session) {
    if (session == null || session.getVariant() == null) {
      return NONE;
    }
    final double revenue = session.getRevenue();
    final long orders = session.getOrders();
    return new Contribution(
        1,
        session.getLists(),
        session.getClickedLists(),
        session.getClicks(),
        session.getAddToCarts() > 0 ? 1 : 0,
        session.getAttributedAddToCarts(),
        session.getPurchases() > 0 ? 1 : 0,
        session.getAttributedPurchases(),
        orders,
        revenue,
        session.getAttributedRevenue(),
        revenue * revenue,
        (double) orders * orders,
        revenue * orders);
  }

  /** This minus {@code other}, field by field. */
  Contribution minus(final Contribution other) {
    return new Contribution(
        sessions - other.sessions,
        impressions - other.impressions,
        clickedImpressions - other.clickedImpressions,
        clicks - other.clicks,
        addToCartSessions - other.addToCartSessions,
        attributedAddToCarts - other.attributedAddToCarts,
        purchaseSessions - other.purchaseSessions,
        attributedPurchases - other.attributedPurchases,
        orders - other.orders,
        revenue - other.revenue,
        attributedRevenue - other.attributedRevenue,
        revenueSquares - other.revenueSquares,
        orderSquares - other.orderSquares,
        revenueTimesOrders - other.revenueTimesOrders);
  }

  /** Whether it changes nothing. */
  boolean isZero() {
    return sessions == 0
        && impressions == 0
        && clickedImpressions == 0
        && clicks == 0
        && addToCartSessions == 0
        && attributedAddToCarts == 0
        && purchaseSessions == 0
        && attributedPurchases == 0
        && orders == 0
        && revenue == 0
        && attributedRevenue == 0
        && revenueSquares == 0
        && orderSquares == 0
        && revenueTimesOrders == 0;
  }

  /** {@code partial} with this added to it. */
  KpiPartial addTo(final KpiPartial partial) {
    return KpiPartial.newBuilder(partial)
        .setSessions(partial.getSessions() + sessions)
        .setImpressions(partial.getImpressions() + impressions)
        .setClickedImpressions(partial.getClickedImpressions() + clickedImpressions)
        .setClicks(partial.getClicks() + clicks)
        .setAddToCartSessions(partial.getAddToCartSessions() + addToCartSessions)
        .setAttributedAddToCarts(partial.getAttributedAddToCarts() + attributedAddToCarts)
        .setPurchaseSessions(partial.getPurchaseSessions() + purchaseSessions)
        .setAttributedPurchases(partial.getAttributedPurchases() + attributedPurchases)
        .setOrders(partial.getOrders() + orders)
        .setRevenue(partial.getRevenue() + revenue)
        .setAttributedRevenue(partial.getAttributedRevenue() + attributedRevenue)
        .setRevenueSquares(partial.getRevenueSquares() + revenueSquares)
        .setOrderSquares(partial.getOrderSquares() + orderSquares)
        .setRevenueTimesOrders(partial.getRevenueTimesOrders() + revenueTimesOrders)
        .build();
  }
}
