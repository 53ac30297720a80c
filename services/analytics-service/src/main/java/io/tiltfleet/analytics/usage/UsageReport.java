package io.tiltfleet.analytics.usage;

import java.time.Instant;
import java.util.List;

/**
 * A fleet's or a table's usage over a range, one entry per period, periods without use included
 * with zeros so that a chart needs no gaps filled.
 *
 * @param tableId null for the fleet as a whole
 */
public record UsageReport(String fleetId, String tableId, Granularity granularity, Instant from, Instant to,
                          List<UsagePeriod> periods) {
}
