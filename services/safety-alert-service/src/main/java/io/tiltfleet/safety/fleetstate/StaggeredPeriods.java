package io.tiltfleet.safety.fleetstate;

import java.time.Duration;
import java.time.Instant;

/**
 * Periods of a fixed length, each table's shifted by a phase of its own. Work due once per period per
 * table (storing its memory, showing its live state) then falls due table after table across the
 * period, not for all tables in one batch or one tick: 3,000 tables stored or shown together held the
 * rules for hundreds of milliseconds, and the alerts behind them waited.
 */
public final class StaggeredPeriods {

    private StaggeredPeriods() {
    }

    /** The number of the table's period that {@code at} falls in. */
    public static long number(String tableKey, Instant at, Duration length) {
        long millis = Math.max(1, length.toMillis());
        // Fibonacci hashing: the hash codes of ids such as t-1, t-2, ... lie close together
        long phase = Math.floorMod(tableKey.hashCode() * 0x9E3779B9, millis);
        return Math.floorDiv(at.toEpochMilli() + phase, millis);
    }
}
