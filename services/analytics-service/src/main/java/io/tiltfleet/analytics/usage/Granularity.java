package io.tiltfleet.analytics.usage;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;

/**
 * The length of a rollup period: an hour or a day of the fleet's local time. A local day lasts 23 or 25 hours
 * when the clocks change, and a local hour starts at the half hour in Asia/Kolkata.
 */
public enum Granularity {
    HOUR, DAY;

    private static final Duration QUARTER = Duration.ofMinutes(15);

    public Instant periodOf(Instant instant, ZoneId zone) {
        return switch (this) {
            case HOUR -> {
                Instant start = instant.atZone(zone).truncatedTo(ChronoUnit.HOURS).toInstant();
                if (start.isAfter(instant)) {
                    // the clocks skipped the hour's start (Antarctica/Casey jumped from 00:01 to 03:01): it began at the jump
                    ZoneOffsetTransition jump = zone.getRules().previousTransition(instant.plusNanos(1));
                    start = jump == null ? instant : jump.getInstant();
                }
                yield start;
            }
            case DAY -> instant.atZone(zone).toLocalDate().atStartOfDay(zone).toInstant();
        };
    }

    public Instant next(Instant periodStart, ZoneId zone) {
        return switch (this) {
            // the next hour is the first later quarter's; where the clocks go back half an hour (Australia/Lord_Howe) an
            // hour later may still be in this one
            case HOUR -> {
                Instant quarter = periodStart.plus(QUARTER);
                while (!periodOf(quarter, zone).isAfter(periodStart)) {
                    quarter = quarter.plus(QUARTER);
                }
                yield periodOf(quarter, zone);
            }
            case DAY -> periodStart.atZone(zone).toLocalDate().plusDays(1).atStartOfDay(zone).toInstant();
        };
    }
}
