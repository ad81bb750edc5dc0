package io.insession.data;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The session click file formats of the public data sets (see {@code ../shared/data}); each turns
 * one line into a {@link Click}. The TSV formats find their columns by header name, in any order,
 * and ignore other columns (such as SR-GNN's {@code SessionTime}).
 */
public enum SessionFileFormat {
  /** Tab-separated {@code SessionId ItemId Time} (unix seconds): the GRU4Rec format. */
  TSV_TIME(true) {
    @Override
    Click parse(final String[] f, final Columns c) {
      return new Click(f[c.session()], f[c.item()], seconds(f[c.order()]));
    }
  },
  /** Tab-separated {@code SessionId ItemId Pos}: the SR-GNN splits, in click order, no time. */
  TSV_POS(true) {
    @Override
    Click parse(final String[] f, final Columns c) {
      Integer.parseInt(f[c.order()]);
      return new Click(f[c.session()], f[c.item()], null);
    }
  },
  /** Raw yoochoose clicks: {@code session,ISO time,item,category}, no header. */
  YOOCHOOSE_DAT(false) {
    @Override
    Click parse(final String[] f, final Columns c) {
      return new Click(f[0], f[2], Instant.parse(f[1]));
    }
  },
  /**
   * Raw diginetica item views: {@code session_id;user_id;item_id;timeframe;eventdate}; the time is
   * the event date plus the timeframe (ms since the session start).
   */
  DIGINETICA_CSV(true) {
    @Override
    Click parse(final String[] f, final Columns c) {
      final Instant day = LocalDate.parse(f[4]).atStartOfDay().toInstant(ZoneOffset.UTC);
      return new Click(f[0], f[2], day.plusMillis(Long.parseLong(f[3])));
    }
  };

  private final boolean hasHeader;

  SessionFileFormat(final boolean hasHeader) {
    this.hasHeader = hasHeader;
  }

  boolean hasHeader() {
    return hasHeader;
  }

  /**
   * Where a format's fields sit in a line.
   *
   * @param fieldCount the number of fields every line has
   * @param session the session id's field
   * @param item the item id's field
   * @param order the field that orders clicks ({@code Time} or {@code Pos}; TSV formats only)
   */
  record Columns(int fieldCount, int session, int item, int order) {}

  /** One line's fields to a click; throws on anything malformed. */
  abstract Click parse(String[] fields, Columns columns);

  /**
   * The columns of a file of this format, from its first line: found by name in a TSV header (which
   * must name {@code SessionId}, {@code ItemId} and {@code Time} or {@code Pos} once each), fixed
   * for the raw formats.
   *
   * @throws IllegalArgumentException for a TSV header without a required column or with one twice
   */
  Columns columns(final String firstLine) {
    return switch (this) {
      case TSV_TIME, TSV_POS -> {
        final List<String> names = headerNames(firstLine);
        final String order = this == TSV_TIME ? "time" : "pos";
        for (final String required : List.of("sessionid", "itemid", order)) {
          if (names.indexOf(required) != names.lastIndexOf(required)) {
            throw new IllegalArgumentException(
                "header names column " + required + " more than once: " + firstLine);
          }
        }
        yield new Columns(
            names.size(),
            names.indexOf("sessionid"),
            names.indexOf("itemid"),
            names.indexOf(order));
      }
      case YOOCHOOSE_DAT -> new Columns(4, 0, 2, 1);
      case DIGINETICA_CSV -> new Columns(5, 0, 2, 3);
    };
  }

  /** Splits a line of this format into fields. */
  String[] split(final String line) {
    return switch (this) {
      case TSV_TIME, TSV_POS -> line.split("\t", -1);
      case YOOCHOOSE_DAT -> line.split(",", -1);
      case DIGINETICA_CSV -> line.split(";", -1);
    };
  }

  /** Recognises the format from the first line of a file. */
  public static SessionFileFormat detect(final String firstLine) {
    final String lower = firstLine.strip().toLowerCase(Locale.ROOT);
    final List<String> names = headerNames(firstLine);
    if (names.contains("sessionid")) {
      if (!names.contains("itemid") || !names.contains("time") && !names.contains("pos")) {
        throw new IllegalArgumentException(
            "a session TSV header must name the columns SessionId, ItemId and Time or Pos (other"
                + " columns are ignored); got: "
                + firstLine);
      }
      return names.contains("time") ? TSV_TIME : TSV_POS;
    }
    if (lower.startsWith("session_id;user_id;item_id;timeframe;eventdate")) {
      return DIGINETICA_CSV;
    }
    if (lower.split(",", -1).length == 4) {
      return YOOCHOOSE_DAT;
    }
    throw new IllegalArgumentException(
        "unknown session file format; expected a header 'SessionId<TAB>ItemId<TAB>Time|Pos',"
            + " 'session_id;user_id;item_id;timeframe;eventdate', or yoochoose clicks"
            + " 'session,time,item,category'; got: "
            + firstLine);
  }

  /** A TSV header's column names, trimmed and in lower case. */
  private static List<String> headerNames(final String header) {
    return Arrays.stream(header.split("\t", -1))
        .map(name -> name.strip().toLowerCase(Locale.ROOT))
        .toList();
  }

  private static Instant seconds(final String text) {
    final double seconds = Double.parseDouble(text);
    return Instant.ofEpochMilli(Math.round(seconds * 1000.0));
  }
}
