package io.tiltfleet.analytics.usage;

import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;

/**
 * The length of a rollup period: an hour or a day of the fleet's local time. A local day lasts 23 or 25 hours
 * when the clocks change, and a local hour starts at the half hour in Asia/Kolkata.
 */
public enum Granularity {
    HOUR, DAY;

    public Instant periodOf(Instant instant, ZoneId zone) {
        return switch (this) {
            case HOUR -> instant.atZone(zone).truncatedTo(ChronoUnit.HOURS).toInstant();
            case DAY -> instant.atZone(zone).toLocalDate().atStartOfDay(zone).toInstant();
        };
    }

    public Instant next(Instant periodStart, ZoneId zone) {
        return switch (this) {
            // the hour's end is the start of the next one, also across a change of the clocks; where the clocks go back
            // half an hour (Australia/Lord_Howe) that start may be this one again, and an hour later it is
            case HOUR -> {
                Instant nextStart = periodOf(periodStart.plus(1, ChronoUnit.HOURS), zone);
                yield nextStart.isAfter(periodStart) ? nextStart : periodStart.plus(1, ChronoUnit.HOURS);
            }
            case DAY -> periodStart.atZone(zone).toLocalDate().plusDays(1).atStartOfDay(zone).toInstant();
        };
    }
}
