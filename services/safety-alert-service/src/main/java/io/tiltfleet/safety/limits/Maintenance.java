package io.tiltfleet.safety.limits;

import java.time.Instant;

/**
 * A table taken out of normal service until a time (a repair, a check): no warning of it goes out until then,
 * its critical alerts still do, saying that it was under maintenance.
 *
 * @param until null once the maintenance was ended
 */
public record Maintenance(String fleetId, String tableId, Instant until, Instant updatedAt) {

    public boolean at(Instant now) {
        return until != null && now.isBefore(until);
    }
}
