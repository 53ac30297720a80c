package io.tiltfleet.analytics.sessions;

import io.tiltfleet.contract.TelemetryReading;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Rebuilds one table's sessions from its readings. A session runs from the first reading above 0
 * degrees with a session id until the table is back at 0 or below, the session id changes, or no
 * reading comes for the idle timeout. Readings of the open session are kept by {@code seq}, so that
 * duplicates count once and late ones fall into place; the figures are computed when it closes, so
 * the same stream always gives the same sessions. A reading that arrives after its session closed
 * is ignored, and so is a replay of anything up to the {@link Progress} it resumes from. Not
 * thread-safe: one table is fed by one thread.
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

    /** What is kept of a reading while its session is open. */
    private record Sample(long seq, Instant ts, double angleDeg) {
    }

    private final String fleetId;
    private final String tableId;
    private final Duration idleTimeout;
    private final TreeMap<Long, Sample> open = new TreeMap<>();
    private String openSessionId;
    private Progress progress;

    public SessionReconstructor(String fleetId, String tableId, Duration idleTimeout, Progress resumeFrom) {
        this.fleetId = fleetId;
        this.tableId = tableId;
        this.idleTimeout = idleTimeout;
        this.progress = resumeFrom;
        this.openSessionId = resumeFrom.lastSessionId();
    }

    public SessionReconstructor(String fleetId, String tableId, Duration idleTimeout) {
        this(fleetId, tableId, idleTimeout, Progress.NONE);
    }

    /** The sessions this reading closes: none, or the one that was open. */
    public List<SessionSummary> onReading(TelemetryReading reading) {
        if (belongsToClosedPast(reading)) {
            return List.of();
        }
        if (!open.isEmpty() && reading.angleDeg() <= 0 && reading.seq() < open.firstKey()) {
            return List.of(); // a late reading from before the session began
        }
        Sample sample = new Sample(reading.seq(), reading.ts(), reading.angleDeg());
        List<SessionSummary> closed = new ArrayList<>();
        if (!open.isEmpty()) {
            Sample newest = open.lastEntry().getValue();
            if (reading.sessionId() != null && !reading.sessionId().equals(openSessionId)) {
                closed.add(close(SessionSummary.EndReason.NEW_SESSION));
            } else if (Duration.between(newest.ts(), reading.ts()).compareTo(idleTimeout) > 0) {
                closed.add(close(SessionSummary.EndReason.IDLE_TIMEOUT));
            } else if (reading.angleDeg() <= 0 && reading.seq() > newest.seq()) {
                open.put(sample.seq(), sample);
                closed.add(close(SessionSummary.EndReason.RETURNED_UPRIGHT));
                return closed;
            }
        }
        if (open.isEmpty() && (reading.sessionId() == null || reading.angleDeg() <= 0)) {
            return closed;
        }
        if (open.isEmpty()) {
            openSessionId = reading.sessionId();
        }
        open.put(sample.seq(), sample);
        return closed;
    }

    /** Closes the open session when nothing has come for the idle timeout. */
    public List<SessionSummary> onIdle(Instant now) {
        if (open.isEmpty() || Duration.between(open.lastEntry().getValue().ts(), now).compareTo(idleTimeout) <= 0) {
            return List.of();
        }
        return List.of(close(SessionSummary.EndReason.IDLE_TIMEOUT));
    }

    public boolean inSession() {
        return !open.isEmpty();
    }

    public Progress progress() {
        return progress;
    }

    private boolean belongsToClosedPast(TelemetryReading reading) {
        boolean laterSession = !Objects.equals(reading.sessionId(), openSessionId) && reading.ts().isAfter(progress.lastEnd());
        return reading.seq() <= progress.lastSeq() && !laterSession;
    }

    private SessionSummary close(SessionSummary.EndReason reason) {
        List<Sample> samples = new ArrayList<>(open.values());
        HourSlicer hours = new HourSlicer(samples.get(0).ts());
        double maxAngle = samples.get(0).angleDeg();
        int excursions = 0;
        for (int i = 0; i < samples.size(); i++) {
            Sample sample = samples.get(i);
            maxAngle = Math.max(maxAngle, sample.angleDeg());
            boolean wasSteep = i > 0 && samples.get(i - 1).angleDeg() > 60;
            excursions += sample.angleDeg() > 60 && !wasSteep ? 1 : 0;
            Instant until = i + 1 < samples.size() ? samples.get(i + 1).ts() : sample.ts();
            if (sample.angleDeg() > 0) {
                hours.hold(sample.angleDeg(), sample.ts(), until);
            }
        }
        Sample first = samples.get(0);
        Sample last = samples.get(samples.size() - 1);
        String id = fleetId + "/" + tableId + "/" + openSessionId + "/" + first.ts().toEpochMilli();
        List<HourSlice> slices = hours.slices();
        SessionSummary summary = new SessionSummary(id, fleetId, tableId, openSessionId, first.ts(), last.ts(), maxAngle,
                HourSlicer.sum(slices), slices.stream().mapToDouble(HourSlice::angleSeconds).sum(), excursions,
                samples.size(), reason, slices);
        progress = new Progress(openSessionId, last.seq(), last.ts());
        open.clear();
        return summary;
    }
}
