package io.tiltfleet.analytics.usage;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** The length of a rollup period; periods are UTC hours and UTC days. */
public enum Granularity {
    HOUR(ChronoUnit.HOURS), DAY(ChronoUnit.DAYS);

    private final ChronoUnit unit;

    Granularity(ChronoUnit unit) {
        this.unit = unit;
    }

    public Instant periodOf(Instant instant) {
        return instant.truncatedTo(unit);
    }

    public Instant next(Instant periodStart) {
        return periodStart.plus(1, unit);
    }
}
