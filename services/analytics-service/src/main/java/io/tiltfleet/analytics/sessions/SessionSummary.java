package io.tiltfleet.analytics.sessions;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One inverted session of one table, rebuilt from its readings.
 *
 * @param id              stable across replays: {@code fleetId/tableId/sessionId/start in epoch ms}, so that
 *                        a session split by an idle gap gives two sessions
 * @param secondsPerBand  time spent in each angle band, from one reading to the next
 * @param angleSeconds    the angle integrated over the inverted time, in degree-seconds
 * @param steepExcursions how often the angle went above 60 degrees (an alert-worthy excursion)
 * @param endedBy         why the session was closed
 * @param slices          the same time cut at quarter-hour boundaries, for the rollups of any time zone's hours and days
 * @param trace           its angle and lock over time, thinned ({@link SessionTrace}), for a chart of it
 */
public record SessionSummary(String id, String fleetId, String tableId, String sessionId, Instant start, Instant end,
                             double maxAngleDeg, Map<AngleBand, Double> secondsPerBand, double angleSeconds,
                             int steepExcursions, int readings, EndReason endedBy, List<QuarterSlice> slices,
                             List<TracePoint> trace) {

    public enum EndReason {
        RETURNED_UPRIGHT, NEW_SESSION, IDLE_TIMEOUT
    }

    public SessionSummary {
        secondsPerBand = Map.copyOf(secondsPerBand);
        slices = List.copyOf(slices);
        trace = List.copyOf(trace);
    }

    public Duration duration() {
        return Duration.between(start, end);
    }

    /** Seconds head-down (above 0 degrees). */
    public double invertedSeconds() {
        return AngleBand.invertedSeconds(secondsPerBand);
    }

    /** The time-weighted mean angle while inverted; 0 for a session without inverted time. */
    public double meanAngleDeg() {
        double inverted = invertedSeconds();
        return inverted == 0 ? 0 : angleSeconds / inverted;
    }
}
