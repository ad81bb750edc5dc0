package io.insession.load.replay;

/**
 * One click as the generator replays it.
 *
 * @param sessionId the replayed session's id (the recorded id plus a run tag and cycle, so that
 *     every run and every pass over the data starts fresh sessions)
 * @param itemId the recorded item
 * @param position 0-based position of the click in its session
 */
public record ReplayClick(String sessionId, String itemId, int position) {}
