package io.tiltfleet.analytics.usage;

import java.time.ZoneId;
import java.time.ZoneOffset;
import reactor.core.publisher.Mono;

/** Each fleet's time zone, whose hours and days its rollups are cut in. */
public interface FleetTimeZones {

    /** UTC for a fleet that never set one. */
    ZoneId zoneOf(String fleetId);

    /** Completes once every fleet's zone is known: no rollup may be cut, and no report read, by a zone not yet read. */
    Mono<Void> whenRead();

    /** The zone's id as reports and stored rollups give it: "UTC" rather than "Z". */
    static String nameOf(ZoneId zone) {
        return zone.equals(ZoneOffset.UTC) ? "UTC" : zone.getId();
    }
}
