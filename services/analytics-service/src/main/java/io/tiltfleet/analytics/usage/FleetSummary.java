package io.tiltfleet.analytics.usage;

import java.time.LocalDate;
import java.util.List;

/**
 * What a fleet dashboard shows of usage: one day, the week up to it, and the busiest tables of the day.
 *
 * @param timeZone      the zone whose days these are
 * @param lastSevenDays the day and the six before it, oldest first
 * @param topTables     up to five tables with the most inverted minutes that day
 */
public record FleetSummary(String fleetId, LocalDate day, String timeZone, UsagePeriod usage, List<UsagePeriod> lastSevenDays,
                           List<TableUsage> topTables) {

    public record TableUsage(String tableId, int sessions, double invertedMinutes, double therapeuticShare) {
    }
}
