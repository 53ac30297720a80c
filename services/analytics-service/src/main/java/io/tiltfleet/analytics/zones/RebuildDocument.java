package io.tiltfleet.analytics.zones;

import io.tiltfleet.analytics.sessions.SessionDocument;
import java.time.Instant;
import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * A fleet's rollups cut again in its time zone: how far that went, so that a rebuild that stopped (the process killed,
 * MongoDB away) goes on after the last session it had done, and which instance holds it, so that one does it at a time.
 *
 * @param zone         the zone being cut in
 * @param began        when this zone's rebuild began
 * @param lastStart    the start of the last session done (newest first), null before the first
 * @param lastId       that session's id
 * @param sessionsDone how many sessions were done so far
 * @param done         whether every session was done and the rollups of other zones removed
 * @param owner        the instance holding the rebuild, until {@code leaseUntil}
 */
@Document(RebuildDocument.COLLECTION)
record RebuildDocument(@Id String fleetId, String zone, Instant began, Instant lastStart, String lastId, long sessionsDone, boolean done,
                       String owner, Instant leaseUntil) {

    static final String COLLECTION = "rollup_rebuilds";

    RebuildDocument after(SessionDocument last, int more, Instant lease) {
        return new RebuildDocument(fleetId, zone, began, last.start(), last.id(), sessionsDone + more, false, owner, lease);
    }

    /** The same progress under a renewed lease. */
    RebuildDocument renewed(Instant lease) {
        return new RebuildDocument(fleetId, zone, began, lastStart, lastId, sessionsDone, false, owner, lease);
    }
}
