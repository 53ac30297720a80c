package io.tiltfleet.analytics.sessions;

import io.tiltfleet.contract.TelemetryReading;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Rebuilds one table's sessions from its readings. A session runs from the first reading above 0
 * degrees with a session id until the table is back at 0 or below, the session id changes, or no
 * reading comes for the idle timeout. Readings of the open session are kept by {@code seq}, so that
 * duplicates count once and late ones fall into place; the figures are computed when it closes, so
 * the same stream always gives the same sessions. A reading that arrives after its session closed
 * is ignored. Not thread-safe: one table is fed by one thread.
 */
public final class SessionReconstructor {

    private final String fleetId;
    private final String tableId;
    private final Duration idleTimeout;
    private final TreeMap<Long, TelemetryReading> open = new TreeMap<>();
    private String openSessionId;
    private long lastClosedSeq = -1;
    private Instant lastClosedTs = Instant.MIN;

    public SessionReconstructor(String fleetId, String tableId, Duration idleTimeout) {
        this.fleetId = fleetId;
        this.tableId = tableId;
        this.idleTimeout = idleTimeout;
    }

    /** The sessions this reading closes: none, or the one that was open. */
    public List<SessionSummary> onReading(TelemetryReading reading) {
        if (belongsToClosedPast(reading)) {
            return List.of();
        }
        if (!open.isEmpty() && reading.angleDeg() <= 0 && reading.seq() < open.firstKey()) {
            return List.of(); // a late reading from before the session began
        }
        List<SessionSummary> closed = new ArrayList<>();
        if (!open.isEmpty()) {
            TelemetryReading newest = open.lastEntry().getValue();
            if (reading.sessionId() != null && !reading.sessionId().equals(openSessionId)) {
                closed.add(close(SessionSummary.EndReason.NEW_SESSION));
            } else if (Duration.between(newest.ts(), reading.ts()).compareTo(idleTimeout) > 0) {
                closed.add(close(SessionSummary.EndReason.IDLE_TIMEOUT));
            } else if (reading.angleDeg() <= 0 && reading.seq() > newest.seq()) {
                open.put(reading.seq(), reading);
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
        open.put(reading.seq(), reading);
        return closed;
    }

    /** Closes the open session when nothing has come for the idle timeout. */
    public List<SessionSummary> onIdle(Instant now) {
        if (open.isEmpty() || Duration.between(open.lastEntry().getValue().ts(), now).compareTo(idleTimeout) <= 0) {
            return List.of();
        }
        return List.of(close(SessionSummary.EndReason.IDLE_TIMEOUT));
    }

    private boolean belongsToClosedPast(TelemetryReading reading) {
        boolean laterSession = !Objects.equals(reading.sessionId(), openSessionId) && reading.ts().isAfter(lastClosedTs);
        return reading.seq() <= lastClosedSeq && !laterSession;
    }

    private SessionSummary close(SessionSummary.EndReason reason) {
        List<TelemetryReading> readings = new ArrayList<>(open.values());
        Map<AngleBand, Double> seconds = new EnumMap<>(AngleBand.class);
        double maxAngle = readings.get(0).angleDeg();
        int excursions = 0;
        for (int i = 0; i < readings.size(); i++) {
            TelemetryReading reading = readings.get(i);
            maxAngle = Math.max(maxAngle, reading.angleDeg());
            boolean wasSteep = i > 0 && readings.get(i - 1).angleDeg() > 60;
            excursions += reading.angleDeg() > 60 && !wasSteep ? 1 : 0;
            if (i + 1 < readings.size()) {
                double step = Duration.between(reading.ts(), readings.get(i + 1).ts()).toMillis() / 1000.0;
                seconds.merge(AngleBand.of(reading.angleDeg()), step, Double::sum);
            }
        }
        TelemetryReading first = readings.get(0);
        TelemetryReading last = readings.get(readings.size() - 1);
        String id = fleetId + "/" + tableId + "/" + openSessionId + "/" + first.ts().toEpochMilli();
        SessionSummary summary = new SessionSummary(id, fleetId, tableId, openSessionId,
                first.ts(), last.ts(), maxAngle, seconds, excursions, readings.size(), reason);
        lastClosedSeq = last.seq();
        lastClosedTs = last.ts();
        open.clear();
        return summary;
    }
}
