package io.tiltfleet.analytics.usage;

import io.tiltfleet.analytics.sessions.AngleBand;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * The usage of one scope over one period of a time zone's hours or days, stored under an id made of all three, so
 * that computing it again overwrites it with the same figures, and rollups cut in a fleet's former zone are told apart.
 *
 * @param tableId null for a fleet rollup
 * @param zone    the time zone whose hours or days the periods are, as {@link FleetTimeZones#nameOf} gives it
 */
@Document(RollupDocument.COLLECTION)
public record RollupDocument(@Id String id, Scope scope, String fleetId, String tableId, Granularity granularity, String zone,
                             Instant periodStart, int sessions, Map<AngleBand, Double> secondsPerBand, double angleSeconds,
                             double maxAngleDeg, int activeTables) {

    public static final String COLLECTION = "usage_rollups";

    public static RollupDocument of(Scope scope, String fleetId, String tableId, Granularity granularity, String zone, Instant periodStart,
                                    Usage usage) {
        // a UTC rollup keeps the id it had before time zones, so that computing it again replaces the one stored then
        String zoned = zone.equals(FleetTimeZones.nameOf(ZoneOffset.UTC)) ? "" : zone + ":";
        String id = scope + ":" + fleetId + "/" + (tableId == null ? "*" : tableId) + ":" + granularity + ":" + zoned + periodStart;
        return new RollupDocument(id, scope, fleetId, tableId, granularity, zone, periodStart, usage.sessions(), usage.secondsPerBand(),
                usage.angleSeconds(), usage.maxAngleDeg(), usage.activeTables());
    }

    public Usage usage() {
        return new Usage(sessions, secondsPerBand == null ? Map.of() : secondsPerBand, angleSeconds, maxAngleDeg, activeTables);
    }

    public Instant periodEnd() {
        return granularity.next(periodStart, ZoneId.of(zone));
    }
}
