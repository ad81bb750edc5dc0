package io.insession.session;

import io.insession.schemas.EventType;
import java.util.EnumSet;
import java.util.Set;

/** What each kind of weblog event means to a session. */
public final class EventSemantics {

  private static final Set<EventType> ABOUT_AN_ITEM =
      EnumSet.of(
          EventType.PRODUCT_VIEW,
          EventType.ADD_TO_CART,
          EventType.REMOVE_FROM_CART,
          EventType.PURCHASE);

  private static final Set<EventType> ADVANCES_MODEL =
      EnumSet.of(EventType.PRODUCT_VIEW, EventType.ADD_TO_CART, EventType.PURCHASE);

  private EventSemantics() {}

  /** Events that must name an item. */
  public static boolean requiresItem(final EventType type) {
    return ABOUT_AN_ITEM.contains(type);
  }

  /**
   * The operator's control record that forgets a session ({@code insession sessions forget}, {@code
   * DELETE /v1/sessions/{id}}): not a visitor's event, so the collector refuses it, and the stream
   * deletes the session's state and tombstones its lists instead of scoring it.
   */
  public static boolean forgetsSession(final EventType type) {
    return type == EventType.FORGET_SESSION;
  }

  /**
   * Events that move the session model one step and trigger a new list: showing interest in an
   * item. The others (page views, searches, removals) only keep the session alive.
   */
  public static boolean advancesModel(final EventType type) {
    return ADVANCES_MODEL.contains(type);
  }
}
