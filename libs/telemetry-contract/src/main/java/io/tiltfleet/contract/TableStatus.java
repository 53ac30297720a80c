package io.tiltfleet.contract;

import java.time.Instant;

/** A table's connection state, as published to {@link Topics#TABLE_STATUS}. */
public record TableStatus(String fleetId, String tableId, State state, Instant ts) {

    public TableRef table() {
        return new TableRef(fleetId, tableId);
    }

    public enum State {
        ONLINE, OFFLINE
    }
}
