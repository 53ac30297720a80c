package io.tiltfleet.analytics.usage;

import java.time.Instant;
import java.util.List;

/**
 * A fleet's or a table's usage over a range, one entry per period, periods without use included
 * with zeros so that a chart needs no gaps filled.
 *
 * @param tableId  null for the fleet as a whole
 * @param timeZone the zone whose hours or days the periods are: the fleet's, or the one the caller asked for
 */
public record UsageReport(String fleetId, String tableId, Granularity granularity, String timeZone, Instant from, Instant to,
                          List<UsagePeriod> periods) {
}
