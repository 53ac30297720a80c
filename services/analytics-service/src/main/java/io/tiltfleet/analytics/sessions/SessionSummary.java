package io.tiltfleet.analytics.sessions;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * One inverted session of one table, rebuilt from its readings.
 *
 * @param id                 stable across replays: {@code fleetId/tableId/sessionId/start in epoch ms}, so that
 *                           a session split by an idle gap gives two sessions
 * @param secondsPerBand     time spent in each angle band, from one reading to the next
 * @param steepExcursions    how often the angle went above 60 degrees (an alert-worthy excursion)
 * @param endedBy            why the session was closed
 */
public record SessionSummary(String id, String fleetId, String tableId, String sessionId, Instant start, Instant end,
                             double maxAngleDeg, Map<AngleBand, Double> secondsPerBand, int steepExcursions,
                             int readings, EndReason endedBy) {

    public enum EndReason {
        RETURNED_UPRIGHT, NEW_SESSION, IDLE_TIMEOUT
    }

    public SessionSummary {
        secondsPerBand = Map.copyOf(secondsPerBand);
    }

    public Duration duration() {
        return Duration.between(start, end);
    }

    /** Seconds head-down (above 0 degrees). */
    public double invertedSeconds() {
        return secondsPerBand.entrySet().stream().filter(e -> e.getKey() != AngleBand.HEAD_UP)
                .mapToDouble(Map.Entry::getValue).sum();
    }
}
