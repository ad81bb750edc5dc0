package io.insession.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SessionFilesTest {

  private static Map<String, List<Click>> read(final String text) throws IOException {
    return SessionFiles.readSessions(
        new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "s.tsv");
  }

  @Test
  void shouldReadAnSrGnnFileWithASessionTimeColumnLikeOneWithout() throws IOException {
    final Map<String, List<Click>> plain =
        read("SessionId\tItemId\tPos\n7\tx\t0\n7\ty\t1\n2\tz\t0\n");
    final Map<String, List<Click>> withTime =
        read(
            "SessionId\tItemId\tPos\tSessionTime\n7\tx\t0\t1462752000\n7\ty\t1\t1462752000\n"
                + "2\tz\t0\t1462838400\n");

    assertThat(withTime).isEqualTo(plain);
    assertThat(plain.keySet()).containsExactly("7", "2");
    assertThat(plain.get("7")).extracting(Click::itemId).containsExactly("x", "y");
  }

  @Test
  void shouldFindTheColumnsByHeaderNameInAnyOrder() throws IOException {
    final Map<String, List<Click>> sessions =
        read("Category\tTime\tItemId\tSessionId\nshoes\t20.5\t214536502\t1\nhats\t10\t99\t1\n");

    assertThat(sessions.get("1"))
        .containsExactly(
            new Click("1", "214536502", Instant.ofEpochMilli(20_500)),
            new Click("1", "99", Instant.ofEpochSecond(10)));
  }

  @Test
  void shouldRejectAHeaderWithoutAnOrderColumnNamingTheSource() {
    assertThatThrownBy(() -> read("SessionId\tItemId\tSessionTime\n1\ta\t0\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "s.tsv:1: a session TSV header must name the columns SessionId, ItemId and Time or"
                + " Pos");
  }

  @Test
  void shouldRejectAHeaderNamingARequiredColumnTwice() {
    assertThatThrownBy(() -> read("SessionId\tItemId\tPos\tItemId\n1\ta\t0\tb\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("s.tsv:1: header names column itemid more than once");
  }

  @Test
  void shouldRejectARowWithFewerFieldsThanTheHeader() {
    assertThatThrownBy(() -> read("SessionId\tItemId\tPos\tSessionTime\n1\ta\t0\t9\n1\tb\t1\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("s.tsv:3: expected 4 fields (TSV_POS), got 3: 1\tb\t1");
  }

  @Test
  void shouldStillReadTheRawFormatsWithTheirFixedColumns() throws IOException {
    final Map<String, List<Click>> yoochoose =
        read("1,2014-04-07T10:51:09.277Z,214536502,0\n1,2014-04-07T10:54:09.868Z,214536500,0\n");
    final Map<String, List<Click>> diginetica =
        read("session_id;user_id;item_id;timeframe;eventdate\n1;NA;81766;526309;2016-05-09\n");

    assertThat(yoochoose.get("1"))
        .extracting(Click::itemId)
        .containsExactly("214536502", "214536500");
    assertThat(diginetica.get("1"))
        .containsExactly(
            new Click("1", "81766", Instant.parse("2016-05-09T00:00:00Z").plusMillis(526_309)));
  }
}
