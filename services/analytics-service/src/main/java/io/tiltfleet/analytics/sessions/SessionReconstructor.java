package io.tiltfleet.analytics.sessions;

import io.tiltfleet.contract.TelemetryReading;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * Rebuilds one table's sessions from its readings. A session runs from the first reading above 0 degrees with a
 * session id until the table is back at 0 or below, the session id changes, or nothing of the table comes for a while
 * ({@link #onSilence}: judged by when readings arrive, never by the table's own clock).
 *
 * <p>Readings are put back in {@code seq} order in a window of at most {@code reorderWindow} readings, then added
 * up one by one into the open session ({@link OpenSession}, placed in time by its {@link Timeline}), so that what a
 * session keeps does not grow with its length. A reading leaves the window once it follows the last one counted,
 * once the window is full (whatever is missing before it is then given up), or at a silence. The newest reading of
 * a table at 0 degrees or below lets everything waiting before it be counted at once, so that a session closes as
 * soon as it ends, as it did when every reading was kept; unless readings right after the last one counted of the
 * open session are still missing (a table back from offline sends them among its live ones): it waits for them
 * then. Duplicates count once; a reading that comes after later ones were counted is given up and counted in
 * {@link #late()}. A table that restarts its {@code seq} (a reboot: {@code seq} going back into another session, or
 * further than the window, while its clock goes forward) first has everything in the window counted. A replay of
 * anything up to the {@link Progress} it resumes from is ignored. Readings of a session in any order within the
 * window thus give the same session as in {@code seq} order. Not thread-safe: one table is fed by one thread.
 */
public final class SessionReconstructor {

    /**
     * How far a table's closed sessions reach: what a restarted reconstructor must not count again.
     *
     * @param lastSessionId the device session id of the last closed session, null before the first
     * @param lastSeq       the sequence number of its last reading
     * @param lastEnd       the time of its last reading
     */
    public record Progress(String lastSessionId, long lastSeq, Instant lastEnd) {
        public static final Progress NONE = new Progress(null, -1, Instant.MIN);
    }

    private static final long UNKNOWN = Long.MIN_VALUE;
    private static final int GAPS_REMEMBERED = 16;

    private final String fleetId;
    private final String tableId;
    private final Duration idleTimeout;
    private final int reorderWindow;
    private final TreeMap<Long, Sample> waiting = new TreeMap<>();
    /** The last few ranges of {@code seq} [from, to) skipped when readings were counted, to tell a late reading from a duplicate. */
    private final Deque<long[]> givenUp = new ArrayDeque<>();
    private long firstSeq = UNKNOWN;
    private long nextSeq = UNKNOWN;
    private Sample newest;
    private OpenSession open;
    private Progress progress;
    private long late;

    public SessionReconstructor(String fleetId, String tableId, Duration idleTimeout, int reorderWindow, Progress resumeFrom) {
        this.fleetId = fleetId;
        this.tableId = tableId;
        this.idleTimeout = idleTimeout;
        this.reorderWindow = reorderWindow;
        this.progress = resumeFrom;
    }

    /**
     * The sessions this reading closes: none, the one that was open, or those the readings it lets out of the window
     * close.
     *
     * @param position where the reading was read from, returned by {@link #heldSince()} while it is held
     */
    public List<SessionSummary> onReading(TelemetryReading reading, long position) {
        if (belongsToClosedPast(reading)) {
            return List.of();
        }
        Sample sample = Sample.of(reading, position);
        List<SessionSummary> closed = new ArrayList<>();
        if (rebooted(sample)) {
            countAllWaiting(closed);
            firstSeq = UNKNOWN;
            nextSeq = UNKNOWN;
            newest = null;
            givenUp.clear();
        }
        if (nextSeq != UNKNOWN && sample.seq() < nextSeq) {
            late += givenUp(sample.seq()) ? 1 : 0;
            return closed;
        }
        waiting.put(sample.seq(), sample);
        if (newest == null || sample.seq() > newest.seq()) {
            newest = sample;
            if (sample.angleDeg() <= 0 && !missingFromOpenSession()) {
                countAllWaiting(closed);
            }
        }
        while (!waiting.isEmpty() && (waiting.firstKey() == nextSeq || waiting.size() > reorderWindow)) {
            count(waiting.pollFirstEntry().getValue(), closed);
        }
        return closed;
    }

    /** Nothing of the table has come for a while (the caller's clock says so): counts what waits and closes the open session. */
    public List<SessionSummary> onSilence() {
        List<SessionSummary> closed = new ArrayList<>();
        countAllWaiting(closed);
        if (open != null) {
            closed.add(close(SessionSummary.EndReason.IDLE_TIMEOUT));
        }
        return closed;
    }

    /** Whether a session is open, or waits in the window to be counted. */
    public boolean inSession() {
        return open != null || waiting.values().stream().anyMatch(sample -> sample.sessionId() != null && sample.angleDeg() > 0);
    }

    /** Whether readings are held that are in no stored session yet: in the window or in the open session. */
    public boolean holdsReadings() {
        return open != null || !waiting.isEmpty();
    }

    /** The first position of the readings held, which must be read again if they are lost; empty when none are held. */
    public OptionalLong heldSince() {
        long since = open == null ? Long.MAX_VALUE : open.earliestPosition();
        for (Sample sample : waiting.values()) {
            since = Math.min(since, sample.position());
        }
        return since == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(since);
    }

    public Progress progress() {
        return progress;
    }

    /** How many readings came after later ones of their table had been counted, and were given up. */
    public long late() {
        return late;
    }

    private boolean belongsToClosedPast(TelemetryReading reading) {
        // against the last closed session: a rebooted table's next session restarts seq below it
        boolean laterSession = !Objects.equals(reading.sessionId(), progress.lastSessionId()) && reading.ts().isAfter(progress.lastEnd());
        return reading.seq() <= progress.lastSeq() && !laterSession;
    }

    private boolean rebooted(Sample sample) {
        return newest != null && sample.seq() <= newest.seq() && sample.ts().isAfter(newest.ts()) && !waiting.containsKey(sample.seq())
                && (!Objects.equals(sample.sessionId(), newest.sessionId()) || newest.seq() - sample.seq() > reorderWindow);
    }

    /** Whether readings after the last one counted of the open session have not come yet: a table sending what it buffered. */
    private boolean missingFromOpenSession() {
        return open != null && nextSeq != UNKNOWN && waiting.firstKey() > nextSeq;
    }

    private void countAllWaiting(List<SessionSummary> closed) {
        while (!waiting.isEmpty()) {
            count(waiting.pollFirstEntry().getValue(), closed);
        }
    }

    /** The next reading in {@code seq} order. */
    private void count(Sample sample, List<SessionSummary> closed) {
        if (firstSeq == UNKNOWN) {
            firstSeq = sample.seq();
        } else if (sample.seq() > nextSeq) {
            givenUp.addLast(new long[] {nextSeq, sample.seq()});
            if (givenUp.size() > GAPS_REMEMBERED) {
                givenUp.removeFirst();
            }
        }
        nextSeq = sample.seq() + 1;
        if (open != null) {
            if (sample.sessionId() != null && !sample.sessionId().equals(open.sessionId())) {
                closed.add(close(SessionSummary.EndReason.NEW_SESSION));
            } else if (sample.angleDeg() <= 0) {
                open.add(sample);
                closed.add(close(SessionSummary.EndReason.RETURNED_UPRIGHT));
                return;
            }
        }
        if (open == null && sample.sessionId() != null && sample.angleDeg() > 0) {
            open = new OpenSession(fleetId, tableId, sample.sessionId(), idleTimeout);
        }
        if (open != null) {
            open.add(sample);
        }
    }

    /** Whether a reading before the next one expected never came before: late, not a duplicate. */
    private boolean givenUp(long seq) {
        return seq < firstSeq || givenUp.stream().anyMatch(range -> seq >= range[0] && seq < range[1]);
    }

    private SessionSummary close(SessionSummary.EndReason reason) {
        SessionSummary summary = open.close(reason);
        progress = new Progress(open.sessionId(), open.lastSeq(), summary.end());
        open = null;
        return summary;
    }
}
