package io.tiltfleet.analytics.usage;

import io.tiltfleet.analytics.sessions.AngleBand;
import io.tiltfleet.analytics.sessions.QuarterSlice;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Usage figures of one table or one fleet over one period, summable: an hour's figures come from
 * the quarter-hour slices of the sessions that fell into it, a day's from its hours, a fleet's from its tables.
 *
 * @param sessions       sessions that began in the period
 * @param secondsPerBand time spent in each angle band
 * @param angleSeconds   the angle integrated over the inverted time, for the mean angle
 * @param maxAngleDeg    the steepest angle held
 * @param activeTables   tables with a session or inverted time in the period
 */
public record Usage(int sessions, Map<AngleBand, Double> secondsPerBand, double angleSeconds, double maxAngleDeg,
                    int activeTables) {

    public static final Usage NONE = new Usage(0, Map.of(), 0, 0, 0);

    public Usage {
        secondsPerBand = Map.copyOf(secondsPerBand);
    }

    /** One table's usage in each local hour or day its slices fall into, by the period's start. */
    public static Map<Instant, Usage> ofTablePeriods(Collection<QuarterSlice> slices, Granularity granularity, ZoneId zone) {
        Map<Instant, List<QuarterSlice>> byPeriod = slices.stream()
                .collect(Collectors.groupingBy(slice -> granularity.periodOf(slice.start(), zone), TreeMap::new, Collectors.toList()));
        Map<Instant, Usage> usage = new TreeMap<>();
        byPeriod.forEach((period, inPeriod) -> usage.put(period, ofTableSlices(inPeriod)));
        return usage;
    }

    /** One table's usage from the parts of its sessions that fell into one period. */
    public static Usage ofTableSlices(Collection<QuarterSlice> slices) {
        Map<AngleBand, Double> seconds = new EnumMap<>(AngleBand.class);
        int sessions = 0;
        double angleSeconds = 0;
        double maxAngle = 0;
        for (QuarterSlice slice : slices) {
            sessions += slice.startsSession() ? 1 : 0;
            slice.secondsPerBand().forEach((band, s) -> seconds.merge(band, s, Double::sum));
            angleSeconds += slice.angleSeconds();
            maxAngle = Math.max(maxAngle, slice.maxAngleDeg());
        }
        boolean active = sessions > 0 || AngleBand.invertedSeconds(seconds) > 0;
        return new Usage(sessions, seconds, angleSeconds, maxAngle, active ? 1 : 0);
    }

    /** One table's usage over consecutive periods (its hours into a day): a table is active once. */
    public static Usage ofSameTable(Collection<Usage> periods) {
        return combine(periods, false);
    }

    /**
     * Several tables' usage over the same period (a fleet's hour or day): active tables add up. A fleet's stored
     * rollups are summed the same way by MongoDB (RollupStore's tableSums): a figure added here must be added there.
     */
    public static Usage ofTables(Collection<Usage> tables) {
        return combine(tables, true);
    }

    private static Usage combine(Collection<Usage> parts, boolean distinctTables) {
        Map<AngleBand, Double> seconds = new EnumMap<>(AngleBand.class);
        int sessions = 0;
        double angleSeconds = 0;
        double maxAngle = 0;
        int active = 0;
        for (Usage part : parts) {
            sessions += part.sessions;
            part.secondsPerBand.forEach((band, s) -> seconds.merge(band, s, Double::sum));
            angleSeconds += part.angleSeconds;
            maxAngle = Math.max(maxAngle, part.maxAngleDeg);
            active = distinctTables ? active + part.activeTables : Math.max(active, part.activeTables);
        }
        return new Usage(sessions, seconds, angleSeconds, maxAngle, active);
    }

    public double invertedSeconds() {
        return AngleBand.invertedSeconds(secondsPerBand);
    }

    /** The time-weighted mean angle while inverted; 0 without inverted time. */
    public double meanAngleDeg() {
        double inverted = invertedSeconds();
        return inverted == 0 ? 0 : angleSeconds / inverted;
    }

    /** The share of the inverted time spent at 20-60 degrees, from 0 to 1. */
    public double therapeuticShare() {
        double inverted = invertedSeconds();
        return inverted == 0 ? 0 : AngleBand.therapeuticSeconds(secondsPerBand) / inverted;
    }
}
