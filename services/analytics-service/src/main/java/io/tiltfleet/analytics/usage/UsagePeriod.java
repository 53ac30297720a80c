package io.tiltfleet.analytics.usage;

import io.tiltfleet.analytics.sessions.AngleBand;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The usage of one period as reported: minutes rather than seconds, derived figures worked out.
 *
 * @param localStart the period's start in its time zone, with the offset then in force
 * @param localEnd   its end likewise: a day the clocks changed on ends at another offset than it began
 */
public record UsagePeriod(Instant periodStart, Instant periodEnd, OffsetDateTime localStart, OffsetDateTime localEnd, int sessions,
                          double invertedMinutes, Map<AngleBand, Double> minutesPerBand, double meanAngleDeg, double maxAngleDeg,
                          double therapeuticShare, int activeTables) {

    public static UsagePeriod of(Instant periodStart, Granularity granularity, ZoneId zone, Usage usage) {
        Map<AngleBand, Double> minutes = new EnumMap<>(AngleBand.class);
        for (AngleBand band : AngleBand.values()) {
            minutes.put(band, round(usage.secondsPerBand().getOrDefault(band, 0.0) / 60, 3));
        }
        Instant periodEnd = granularity.next(periodStart, zone);
        return new UsagePeriod(periodStart, periodEnd, periodStart.atZone(zone).toOffsetDateTime(), periodEnd.atZone(zone).toOffsetDateTime(),
                usage.sessions(), round(usage.invertedSeconds() / 60, 3), minutes, round(usage.meanAngleDeg(), 2), round(usage.maxAngleDeg(), 2),
                round(usage.therapeuticShare(), 4), usage.activeTables());
    }

    /** Every period from {@code first} up to {@code to}, with zeros where nothing is stored: a chart needs no gaps filled. */
    public static List<UsagePeriod> series(Map<Instant, Usage> stored, Granularity granularity, ZoneId zone, Instant first, Instant to) {
        List<UsagePeriod> periods = new ArrayList<>();
        for (Instant period = first; period.isBefore(to); period = granularity.next(period, zone)) {
            periods.add(of(period, granularity, zone, stored.getOrDefault(period, Usage.NONE)));
        }
        return periods;
    }

    private static double round(double value, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }
}
