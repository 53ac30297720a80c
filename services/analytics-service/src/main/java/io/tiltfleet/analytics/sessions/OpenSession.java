package io.tiltfleet.analytics.sessions;

import io.tiltfleet.contract.TableRef;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The figures of one open session, added up reading by reading in {@code seq} order: what it keeps does not grow with
 * the session's readings (the {@link Timeline}'s first minute, a trace of at most {@link SessionTrace#MOST_POINTS},
 * one slice per quarter hour it spans).
 */
final class OpenSession {

    private final String fleetId;
    private final String tableId;
    private final String sessionId;
    private long earliestPosition;
    private final Timeline timeline;
    private final SessionTrace trace = new SessionTrace();
    private QuarterSlicer quarters;
    private Sample previous;
    private Instant previousTime;
    private double maxAngleDeg;
    private int steepExcursions;
    private int readings;

    OpenSession(String fleetId, String tableId, String sessionId, Duration idleTimeout) {
        this.fleetId = fleetId;
        this.tableId = tableId;
        this.sessionId = sessionId;
        this.earliestPosition = Long.MAX_VALUE;
        this.timeline = new Timeline(idleTimeout, this::count);
    }

    String sessionId() {
        return sessionId;
    }

    /** The earliest position its readings were read from: the session is rebuilt from there if this one is lost. */
    long earliestPosition() {
        return earliestPosition;
    }

    void add(Sample sample) {
        // readings arrive out of seq order: the first in seq order is not always the first read
        earliestPosition = Math.min(earliestPosition, sample.position());
        timeline.add(sample);
    }

    /** Each reading holds its angle until the next one's time; the last one only at its own. */
    SessionSummary close(SessionSummary.EndReason reason) {
        timeline.finish();
        if (previous.angleDeg() > 0) {
            quarters.hold(previous.angleDeg(), previousTime, previousTime);
        }
        Instant start = quarters.sessionStart();
        String id = new TableRef(fleetId, tableId).key() + "/" + sessionId + "/" + start.toEpochMilli();
        List<QuarterSlice> slices = quarters.slices();
        return new SessionSummary(id, fleetId, tableId, sessionId, start, previousTime, maxAngleDeg, QuarterSlicer.sum(slices),
                slices.stream().mapToDouble(QuarterSlice::angleSeconds).sum(), steepExcursions, readings, reason, slices,
                trace.points());
    }

    /** The last reading counted, once closed. */
    long lastSeq() {
        return previous.seq();
    }

    private void count(Sample sample, Instant time) {
        if (previous == null) {
            quarters = new QuarterSlicer(time);
            maxAngleDeg = sample.angleDeg();
        } else if (previous.angleDeg() > 0) {
            quarters.hold(previous.angleDeg(), previousTime, time);
        }
        maxAngleDeg = Math.max(maxAngleDeg, sample.angleDeg());
        boolean wasSteep = previous != null && previous.angleDeg() > 60;
        steepExcursions += sample.angleDeg() > 60 && !wasSteep ? 1 : 0;
        readings++;
        trace.add(new TracePoint(time, sample.angleDeg(), sample.locked()));
        previous = sample;
        previousTime = time;
    }
}
