package io.tiltfleet.analytics.usage;

import io.tiltfleet.analytics.sessions.AngleBand;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** The usage of one period as reported: minutes rather than seconds, derived figures worked out. */
public record UsagePeriod(Instant periodStart, Instant periodEnd, int sessions, double invertedMinutes,
                          Map<AngleBand, Double> minutesPerBand, double meanAngleDeg, double maxAngleDeg, double therapeuticShare,
                          int activeTables) {

    public static UsagePeriod of(Instant periodStart, Granularity granularity, Usage usage) {
        Map<AngleBand, Double> minutes = new EnumMap<>(AngleBand.class);
        for (AngleBand band : AngleBand.values()) {
            minutes.put(band, round(usage.secondsPerBand().getOrDefault(band, 0.0) / 60, 3));
        }
        return new UsagePeriod(periodStart, granularity.next(periodStart), usage.sessions(), round(usage.invertedSeconds() / 60, 3),
                minutes, round(usage.meanAngleDeg(), 2), round(usage.maxAngleDeg(), 2), round(usage.therapeuticShare(), 4),
                usage.activeTables());
    }

    /** Every period from {@code first} up to {@code to}, with zeros where nothing is stored: a chart needs no gaps filled. */
    public static List<UsagePeriod> series(Map<Instant, Usage> stored, Granularity granularity, Instant first, Instant to) {
        List<UsagePeriod> periods = new ArrayList<>();
        for (Instant period = first; period.isBefore(to); period = granularity.next(period)) {
            periods.add(of(period, granularity, stored.getOrDefault(period, Usage.NONE)));
        }
        return periods;
    }

    private static double round(double value, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }
}
