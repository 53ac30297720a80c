package io.tiltfleet.analytics.usage;

import java.time.Instant;
import java.time.ZoneId;

/**
 * Rollups of one fleet, or of one of its tables, cut in one time zone, whose periods begin in [from, to).
 *
 * @param tableId null for the fleet's own rollups; with {@code allTables}, ignored
 * @param allTables every table's rollups of the fleet instead of the fleet's (for exports)
 */
public record UsageQuery(String fleetId, String tableId, boolean allTables, Granularity granularity, ZoneId zone, Instant from, Instant to) {

    public Scope scope() {
        return allTables || tableId != null ? Scope.TABLE : Scope.FLEET;
    }
}
