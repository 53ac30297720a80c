package io.tiltfleet.contract;

/**
 * One table of one fleet. Table ids are unique only within their fleet, so a table is always named by both.
 * Ids are not checked here: a reject names whatever its MQTT topic said.
 */
public record TableRef(String fleetId, String tableId) {

    /**
     * {@code fleetId/tableId}: the Kafka key of every record about the table, so that its events stay in order
     * on one partition and two fleets' tables of the same id never share a key (a compacted topic would keep
     * only one of them); also the id of the documents the services store per table.
     */
    public String key() {
        return fleetId + "/" + tableId;
    }

    /** The fleet of a {@link #key}: ids hold no slash ({@link Ids}), so the first one ends it; null when the text is no key. */
    public static String fleetIdOf(String key) {
        int slash = key == null ? -1 : key.indexOf('/');
        return slash > 0 ? key.substring(0, slash) : null;
    }
}
