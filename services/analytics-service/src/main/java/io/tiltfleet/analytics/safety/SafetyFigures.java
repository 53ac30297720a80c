package io.tiltfleet.analytics.safety;

import io.tiltfleet.analytics.sessions.AngleBand;
import io.tiltfleet.analytics.usage.Usage;
import java.time.Duration;
import java.util.Collection;
import java.util.List;

/**
 * A table's or a site's safety figures over a range, from its usage and its alerts.
 *
 * @param therapeuticShare            the share of the inverted time at 20-60 degrees, from 0 to 1
 * @param minutesAbove60              minutes held steeper than 60 degrees
 * @param alertsPer100Sessions        null without sessions
 * @param medianSecondsToAcknowledgeCritical over the critical alerts acknowledged so far; null without one
 * @param criticalUnacknowledged      critical alerts raised in the range and not acknowledged yet
 */
public record SafetyFigures(int sessions, double invertedMinutes, double therapeuticShare, double minutesAbove60, int alerts,
                            int criticalAlerts, Double alertsPer100Sessions, Double medianSecondsToAcknowledgeCritical,
                            int criticalUnacknowledged) {

    static final String CRITICAL = "CRITICAL";

    /** @param usage the table's or site's usage over the range; {@code alerts} those raised in it */
    public static SafetyFigures of(Usage usage, Collection<AlertFact> alerts) {
        List<AlertFact> critical = alerts.stream().filter(alert -> CRITICAL.equals(alert.severity())).toList();
        List<Double> toAcknowledge = critical.stream().filter(alert -> alert.criticalAcknowledgedAt() != null)
                // raised by the table's clock, acknowledged by the platform's: a table whose clock runs ahead counts as acknowledged at once
                .map(alert -> Math.max(0, Duration.between(alert.raisedAt(), alert.criticalAcknowledgedAt()).toMillis() / 1000.0))
                .sorted().toList();
        double steepSeconds = usage.secondsPerBand().getOrDefault(AngleBand.STEEP_60_75, 0.0)
                + usage.secondsPerBand().getOrDefault(AngleBand.STEEP_75_90, 0.0);
        return new SafetyFigures(usage.sessions(), round(usage.invertedSeconds() / 60), Math.round(usage.therapeuticShare() * 10_000) / 10_000.0,
                round(steepSeconds / 60), alerts.size(), critical.size(),
                usage.sessions() == 0 ? null : round(alerts.size() * 100.0 / usage.sessions()), median(toAcknowledge),
                (int) critical.stream().filter(alert -> alert.criticalAcknowledgedAt() == null && !Boolean.TRUE.equals(alert.criticalAcknowledged()))
                        .count());
    }

    private static Double median(List<Double> sorted) {
        if (sorted.isEmpty()) {
            return null;
        }
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }
}
