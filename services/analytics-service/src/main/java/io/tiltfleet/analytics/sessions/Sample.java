package io.tiltfleet.analytics.sessions;

import io.tiltfleet.contract.TelemetryReading;
import java.time.Instant;

/**
 * What is kept of a reading until it is counted.
 *
 * @param position where the reading was read from (its record's offset), so that the caller knows which readings still wait
 */
record Sample(long seq, Instant ts, String sessionId, double angleDeg, boolean locked, long position) {

    static Sample of(TelemetryReading reading, long position) {
        return new Sample(reading.seq(), reading.ts(), reading.sessionId(), reading.angleDeg(), reading.locked(), position);
    }
}
