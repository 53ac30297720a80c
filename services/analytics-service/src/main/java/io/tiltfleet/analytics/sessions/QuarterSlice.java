package io.tiltfleet.analytics.sessions;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * The part of a session that fell into one quarter of a UTC hour. Every time zone in use today is a whole
 * number of quarter hours from UTC (Asia/Kolkata +05:30, Asia/Kathmandu +05:45, America/St_Johns -03:30), so
 * the slices add up to exact local hours and days in any of them, however long the session ran.
 *
 * @param start          the start of the quarter hour
 * @param startsSession  whether the session began in this quarter (a session counts in the period it began)
 * @param secondsPerBand time spent in each angle band during this quarter
 * @param angleSeconds   the angle integrated over the inverted time, in degree-seconds (for the mean angle)
 * @param maxAngleDeg    the steepest angle held during this quarter
 */
public record QuarterSlice(Instant start, boolean startsSession, Map<AngleBand, Double> secondsPerBand,
                           double angleSeconds, double maxAngleDeg) {

    public static final Duration LENGTH = Duration.ofMinutes(15);

    /** The start of the UTC quarter hour the instant falls in. */
    public static Instant startOf(Instant instant) {
        long quarterMillis = LENGTH.toMillis();
        return Instant.ofEpochMilli(Math.floorDiv(instant.toEpochMilli(), quarterMillis) * quarterMillis);
    }

    public QuarterSlice {
        secondsPerBand = Map.copyOf(secondsPerBand);
    }
}
