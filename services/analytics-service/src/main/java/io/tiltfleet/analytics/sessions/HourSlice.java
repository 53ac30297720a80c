package io.tiltfleet.analytics.sessions;

import java.time.Instant;
import java.util.Map;

/**
 * The part of a session that fell into one UTC hour, so that hourly and daily usage count each
 * second in the hour it happened, however long the session ran.
 *
 * @param hour           the start of the hour
 * @param startsSession  whether the session began in this hour (a session counts in the hour it began)
 * @param secondsPerBand time spent in each angle band during this hour
 * @param angleSeconds   the angle integrated over the inverted time, in degree-seconds (for the mean angle)
 * @param maxAngleDeg    the steepest angle held during this hour
 */
public record HourSlice(Instant hour, boolean startsSession, Map<AngleBand, Double> secondsPerBand, double angleSeconds,
                        double maxAngleDeg) {

    public HourSlice {
        secondsPerBand = Map.copyOf(secondsPerBand);
    }
}
