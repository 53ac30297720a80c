package io.tiltfleet.contract;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A table as its fleet's operators registered it, as it goes on {@link Topics#TABLE_REGISTRY}: where it stands and what
 * it is. Every field but the ids may be left out (null).
 *
 * @param name         what the staff call it ("Bed 7")
 * @param site         the clinic or gym site ("Berlin-Mitte")
 * @param room         the room at the site ("Room 3")
 * @param removedAt    when it was taken out of the registry; null while it is in
 */
public record TableRegistration(String fleetId, String tableId, String name, String site, String room, String model, String serialNumber,
                                String notes, Instant updatedAt, Instant removedAt) {

    public TableRef table() {
        return new TableRef(fleetId, tableId);
    }

    /** Where a person finds the table, as alerts and notifications say it: "Berlin-Mitte, Room 3, Bed 7"; null once removed. */
    public String location() {
        if (removedAt != null) {
            return null;
        }
        List<String> parts = new ArrayList<>(3);
        if (site != null) {
            parts.add(site);
        }
        if (room != null) {
            parts.add(room);
        }
        parts.add(name != null ? name : "table " + tableId);
        return String.join(", ", parts);
    }
}
