package io.tiltfleet.analytics.sessions;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Cuts the angles a session held into UTC hours. */
final class HourSlicer {

    private static final class Hour {
        final Map<AngleBand, Double> seconds = new EnumMap<>(AngleBand.class);
        double angleSeconds;
        double maxAngleDeg;
    }

    private final Instant sessionStart;
    private final TreeMap<Instant, Hour> hours = new TreeMap<>();

    HourSlicer(Instant sessionStart) {
        this.sessionStart = sessionStart;
        hours.put(sessionStart.truncatedTo(ChronoUnit.HOURS), new Hour());
    }

    /** The table held this angle from one reading until the next (or only at that instant, for the last one). */
    void hold(double angleDeg, Instant from, Instant until) {
        Instant cursor = from;
        do {
            Instant hourStart = cursor.truncatedTo(ChronoUnit.HOURS);
            Instant sliceEnd = min(until, hourStart.plus(1, ChronoUnit.HOURS));
            Hour hour = hours.computeIfAbsent(hourStart, h -> new Hour());
            double seconds = Duration.between(cursor, sliceEnd).toMillis() / 1000.0;
            hour.seconds.merge(AngleBand.of(angleDeg), seconds, Double::sum);
            hour.angleSeconds += angleDeg * seconds;
            hour.maxAngleDeg = Math.max(hour.maxAngleDeg, angleDeg);
            cursor = sliceEnd;
        } while (cursor.isBefore(until));
    }

    List<HourSlice> slices() {
        Instant startHour = sessionStart.truncatedTo(ChronoUnit.HOURS);
        return hours.entrySet().stream()
                .map(e -> new HourSlice(e.getKey(), e.getKey().equals(startHour), e.getValue().seconds,
                        e.getValue().angleSeconds, e.getValue().maxAngleDeg))
                .toList();
    }

    static Map<AngleBand, Double> sum(List<HourSlice> slices) {
        Map<AngleBand, Double> total = new EnumMap<>(AngleBand.class);
        slices.forEach(slice -> slice.secondsPerBand().forEach((band, seconds) -> total.merge(band, seconds, Double::sum)));
        return total;
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }
}
