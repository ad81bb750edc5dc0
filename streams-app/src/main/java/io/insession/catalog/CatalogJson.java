package io.insession.catalog;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.insession.schemas.CatalogItem;

/**
 * A catalogue record as JSON, with the field names of the catalogue file format ({@link
 * CatalogFile}): what {@code insession catalog generate} writes and the lookup API returns.
 */
public final class CatalogJson {

  private CatalogJson() {}

  /** The record as a JSON object; absent optional fields are left out. */
  public static ObjectNode toJson(final CatalogItem item) {
    final ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("itemId", item.getItemId());
    node.put("title", item.getTitle());
    item.getCategoryPath().forEach(node.putArray("categoryPath")::add);
    if (item.getBrand() != null) {
      node.put("brand", item.getBrand());
    }
    if (item.getPrice() != null) {
      node.put("price", item.getPrice().stripTrailingZeros().toPlainString());
    }
    if (item.getCurrency() != null) {
      node.put("currency", item.getCurrency());
    }
    node.put("inStock", item.getInStock());
    if (item.getAvailableFrom() != null) {
      node.put("availableFrom", item.getAvailableFrom().toString());
    }
    if (item.getFirstSeen() != null) {
      node.put("firstSeen", item.getFirstSeen().toString());
    }
    if (item.getImageUrl() != null) {
      node.put("imageUrl", item.getImageUrl());
    }
    final ObjectNode attributes = node.putObject("attributes");
    item.getAttributes().forEach(attributes::put);
    node.put("synthetic", item.getSynthetic());
    return node;
  }
}
