package io.tiltfleet.analytics.zones;

import java.time.Instant;
import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * How far a fleet's rollups have been cut again in its time zone: a rebuild that stopped (the process killed, MongoDB
 * away) goes on after the last session it had done.
 *
 * @param zone      the zone being cut in
 * @param lastStart the start of the last session done, null before the first
 * @param lastId    that session's id
 * @param done      whether every session was done and the rollups of other zones removed
 */
@Document(RebuildDocument.COLLECTION)
record RebuildDocument(@Id String fleetId, String zone, Instant lastStart, String lastId, long sessionsDone, boolean done) {

    static final String COLLECTION = "rollup_rebuilds";
}
