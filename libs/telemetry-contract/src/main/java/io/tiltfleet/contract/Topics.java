package io.tiltfleet.contract;

/**
 * The one catalogue of MQTT and Kafka topic names. Every Kafka record on these topics is keyed
 * by {@link #tableKey fleet and table}, so that one table's events stay in order on one partition and
 * two fleets' tables of the same id never share a key (a compacted topic would keep only one of them).
 */
public final class Topics {

    /** Kafka: validated {@link TelemetryReading}s, JSON, key = fleet and table. */
    public static final String TELEMETRY_READINGS = "telemetry.readings.v1";

    /** Kafka: {@link TableStatus} changes (online/offline, Last Will), JSON, key = fleet and table. */
    public static final String TABLE_STATUS = "table.status.v1";

    /** Kafka: {@link RejectedMessage}s, what the ingest refused and why, JSON, key = fleet and table from the MQTT topic. */
    public static final String TELEMETRY_REJECTED = "telemetry.rejected.v1";

    /** Kafka: {@link SafetyAlertEvent}s, every change of every alert, JSON, key = fleet and table. */
    public static final String SAFETY_ALERTS = "safety.alerts.v1";

    /**
     * Kafka: the live state of each table as the safety service last showed it, JSON, key = fleet and table.
     * Internal to the safety service: how its instances share one view of every fleet, whichever
     * instance owns which table.
     */
    public static final String FLEET_LIVE = "fleet.live.v1";

    /** MQTT filter for every table's telemetry: {@code fleets/{fleetId}/tables/{tableId}/telemetry}. */
    public static final String MQTT_TELEMETRY_FILTER = "fleets/+/tables/+/telemetry";

    /** MQTT filter for every table's retained status: {@code fleets/{fleetId}/tables/{tableId}/status}. */
    public static final String MQTT_STATUS_FILTER = "fleets/+/tables/+/status";

    private Topics() {
    }

    /** The Kafka key of a table's records: {@code fleetId/tableId} (ids never contain a slash). */
    public static String tableKey(String fleetId, String tableId) {
        return fleetId + "/" + tableId;
    }

    public static String mqttTelemetryTopic(String fleetId, String tableId) {
        return "fleets/" + fleetId + "/tables/" + tableId + "/telemetry";
    }

    public static String mqttStatusTopic(String fleetId, String tableId) {
        return "fleets/" + fleetId + "/tables/" + tableId + "/status";
    }
}
