package io.insession.data;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Locale;

/**
 * The session click file formats of the public data sets (see {@code ../shared/data}); each turns
 * one line into a {@link Click}.
 */
public enum SessionFileFormat {
  /** Tab-separated {@code SessionId ItemId Time} (unix seconds): the GRU4Rec format. */
  TSV_TIME(true) {
    @Override
    Click parse(final String[] f) {
      return new Click(f[0], f[1], seconds(f[2]));
    }
  },
  /** Tab-separated {@code SessionId ItemId Pos}: the SR-GNN splits, in click order, no time. */
  TSV_POS(true) {
    @Override
    Click parse(final String[] f) {
      Integer.parseInt(f[2]);
      return new Click(f[0], f[1], null);
    }
  },
  /** Raw yoochoose clicks: {@code session,ISO time,item,category}, no header. */
  YOOCHOOSE_DAT(false) {
    @Override
    Click parse(final String[] f) {
      return new Click(f[0], f[2], Instant.parse(f[1]));
    }
  },
  /**
   * Raw diginetica item views: {@code session_id;user_id;item_id;timeframe;eventdate}; the time is
   * the event date plus the timeframe (ms since the session start).
   */
  DIGINETICA_CSV(true) {
    @Override
    Click parse(final String[] f) {
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

  /** One line's fields to a click; throws on anything malformed. */
  abstract Click parse(String[] fields);

  /** Splits a line of this format into fields. */
  String[] split(final String line) {
    return switch (this) {
      case TSV_TIME, TSV_POS -> line.split("\t", -1);
      case YOOCHOOSE_DAT -> line.split(",", -1);
      case DIGINETICA_CSV -> line.split(";", -1);
    };
  }

  int fieldCount() {
    return switch (this) {
      case TSV_TIME, TSV_POS -> 3;
      case YOOCHOOSE_DAT -> 4;
      case DIGINETICA_CSV -> 5;
    };
  }

  /** Recognises the format from the first line of a file. */
  public static SessionFileFormat detect(final String firstLine) {
    final String lower = firstLine.strip().toLowerCase(Locale.ROOT);
    if (lower.startsWith("sessionid\titemid\ttime")) {
      return TSV_TIME;
    }
    if (lower.startsWith("sessionid\titemid\tpos")) {
      return TSV_POS;
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

  private static Instant seconds(final String text) {
    final double seconds = Double.parseDouble(text);
    return Instant.ofEpochMilli(Math.round(seconds * 1000.0));
  }
}
