package io.tiltfleet.analytics.sessions;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Cuts the angles a session held into quarters of UTC hours. */
final class QuarterSlicer {

    private static final class Quarter {
        final Map<AngleBand, Double> seconds = new EnumMap<>(AngleBand.class);
        double angleSeconds;
        double maxAngleDeg;
    }

    private final Instant sessionStart;
    private final TreeMap<Instant, Quarter> quarters = new TreeMap<>();

    QuarterSlicer(Instant sessionStart) {
        this.sessionStart = sessionStart;
        quarters.put(QuarterSlice.startOf(sessionStart), new Quarter());
    }

    /** The table held this angle from one reading until the next (or only at that instant, for the last one). */
    void hold(double angleDeg, Instant from, Instant until) {
        Instant cursor = from;
        do {
            Instant quarterStart = QuarterSlice.startOf(cursor);
            Instant sliceEnd = min(until, quarterStart.plus(QuarterSlice.LENGTH));
            Quarter quarter = quarters.computeIfAbsent(quarterStart, q -> new Quarter());
            double seconds = Duration.between(cursor, sliceEnd).toMillis() / 1000.0;
            quarter.seconds.merge(AngleBand.of(angleDeg), seconds, Double::sum);
            quarter.angleSeconds += angleDeg * seconds;
            quarter.maxAngleDeg = Math.max(quarter.maxAngleDeg, angleDeg);
            cursor = sliceEnd;
        } while (cursor.isBefore(until));
    }

    Instant sessionStart() {
        return sessionStart;
    }

    List<QuarterSlice> slices() {
        Instant startQuarter = QuarterSlice.startOf(sessionStart);
        return quarters.entrySet().stream()
                .map(e -> new QuarterSlice(e.getKey(), e.getKey().equals(startQuarter), e.getValue().seconds,
                        e.getValue().angleSeconds, e.getValue().maxAngleDeg))
                .toList();
    }

    static Map<AngleBand, Double> sum(List<QuarterSlice> slices) {
        Map<AngleBand, Double> total = new EnumMap<>(AngleBand.class);
        slices.forEach(slice -> slice.secondsPerBand().forEach((band, seconds) -> total.merge(band, seconds, Double::sum)));
        return total;
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }
}
