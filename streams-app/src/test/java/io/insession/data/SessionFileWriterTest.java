package io.insession.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SessionFileWriterTest {

  private static final Instant T0 = Instant.parse("2026-11-20T10:00:00.250Z");

  @TempDir Path dir;

  @Test
  void shouldWriteSessionsInOrderWithPositionsThatBothReadersKeep() throws Exception {
    final Map<String, List<Click>> sessions = new LinkedHashMap<>();
    // the second click is earlier than the first (a late event): Pos keeps the log order
    sessions.put("b", List.of(new Click("b", "42", T0.plusSeconds(5)), new Click("b", "7", T0)));
    sessions.put("a", List.of(new Click("a", "7", T0.plusSeconds(9))));
    final Path file = dir.resolve("train.tsv");

    final SessionFileWriter.Written written = SessionFileWriter.write(file, sessions);

    assertThat(written).isEqualTo(new SessionFileWriter.Written(2, 3, 0));
    assertThat(Files.readAllLines(file))
        .containsExactly(
            "SessionId\tItemId\tPos\tEventTime",
            "b\t42\t0\t2026-11-20T10:00:05.250Z",
            "b\t7\t1\t2026-11-20T10:00:00.250Z",
            "a\t7\t0\t2026-11-20T10:00:09.250Z");
    final Map<String, List<Click>> read = SessionFiles.readSessions(file);
    assertThat(read.keySet()).containsExactly("b", "a");
    assertThat(read.get("b")).extracting(Click::itemId).containsExactly("42", "7");
  }

  @Test
  void shouldLeaveOutAndCountClicksWhoseIdsALineCannotCarry() throws Exception {
    final Map<String, List<Click>> sessions = new LinkedHashMap<>();
    sessions.put(
        "s",
        List.of(
            new Click("s", "tab\there", T0),
            new Click("s", " padded", T0),
            new Click("s", "line\u2028break", T0),
            new Click("s", "ok", T0)));
    sessions.put("bad\nsession", List.of(new Click("bad\nsession", "x", T0)));
    sessions.put("only-bad", List.of(new Click("only-bad", "nul\u0000", T0)));

    final SessionFileWriter.Written written =
        SessionFileWriter.write(dir.resolve("train.tsv"), sessions);

    assertThat(written).isEqualTo(new SessionFileWriter.Written(1, 1, 5));
    assertThat(Files.readAllLines(dir.resolve("train.tsv")))
        .containsExactly("SessionId\tItemId\tPos\tEventTime", "s\tok\t0\t2026-11-20T10:00:00.250Z");
  }
}
