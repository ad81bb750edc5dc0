package io.insession.scoring;

import java.util.Objects;

/**
 * One item of a bundle's vocabulary with its training popularity.
 *
 * @param index the item's model index
 * @param itemId the shop's item id
 * @param count the number of training clicks on the item
 */
public record PopularItem(int index, String itemId, long count) {
  public PopularItem {
    Objects.requireNonNull(itemId, "itemId");
  }
}
