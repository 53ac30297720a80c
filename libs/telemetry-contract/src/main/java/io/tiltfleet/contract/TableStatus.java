package io.tiltfleet.contract;

import java.time.Instant;

/**
 * A table's connection state, as published to {@link Topics#TABLE_STATUS}.
 *
 * @param firmware the firmware the table reports running, when it says (optional in the status message)
 * @param model    the model the table reports being, when it says
 */
public record TableStatus(String fleetId, String tableId, State state, Instant ts, String firmware, String model) {

    public TableStatus(String fleetId, String tableId, State state, Instant ts) {
        this(fleetId, tableId, state, ts, null, null);
    }

    public TableRef table() {
        return new TableRef(fleetId, tableId);
    }

    public enum State {
        ONLINE, OFFLINE
    }
}
