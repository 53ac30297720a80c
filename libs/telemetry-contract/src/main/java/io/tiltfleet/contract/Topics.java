package io.tiltfleet.contract;

/**
 * The names of the MQTT and Kafka topics, as constants that annotations can name; partitions, retention and
 * cleanup of the Kafka topics are in {@link TopicCatalogue}. Every Kafka record on these topics is keyed by
 * {@link TableRef#key() fleet and table}, but a fleet's own settings on {@link #FLEET_CONFIG}, which are keyed by the fleet.
 */
public final class Topics {

    private static final String DEAD_LETTER_SUFFIX = "-dlt";

    /** Kafka: validated {@link TelemetryReading}s, JSON, key = fleet and table. */
    public static final String TELEMETRY_READINGS = "telemetry.readings.v1";

    /** Kafka: {@link TableStatus} changes (online/offline, Last Will), JSON, key = fleet and table. */
    public static final String TABLE_STATUS = "table.status.v1";

    /** Kafka: {@link RejectedMessage}s, what the ingest refused and why, JSON, key = fleet and table from the MQTT topic. */
    public static final String TELEMETRY_REJECTED = "telemetry.rejected.v1";

    /** Kafka: {@link SafetyAlertEvent}s, every change of every alert, JSON, key = fleet and table. */
    public static final String SAFETY_ALERTS = "safety.alerts.v1";

    /** Kafka: {@link NotificationDelivery}s, every attempt to deliver a notification of an alert, JSON, key = fleet and table. */
    public static final String NOTIFICATION_DELIVERIES = "notification.deliveries.v1";

    /**
     * Kafka: the live state of each table as the safety service last showed it, JSON, key = fleet and table.
     * Internal to the safety service: how its instances share one view of every fleet, whichever
     * instance owns which table.
     */
    public static final String FLEET_LIVE = "fleet.live.v1";

    /**
     * Kafka: every change of a fleet's settings and of a table's profile, maintenance or check-in, in one order, JSON, key = the
     * fleet for its settings, fleet and table for a profile (with {@code /maintenance} or {@code /check-in}); compacted, so that it
     * keeps the latest of each. Internal to the safety
     * service: every instance reads all of it, so that a change made through one reaches the tables of all.
     */
    public static final String FLEET_CONFIG = "fleet.config.v1";

    /**
     * Kafka: every change of a fleet's table registry ({@link TableRegistration}: name, site, room, model, serial number),
     * in one order, JSON, key = fleet and table; compacted, so that it keeps each table's latest, a removal included.
     * Written by the safety service (its instances read all of it); the analytics read it to group usage by site.
     * The record is a change: {@code {"id","kind":"REGISTRY","fleetId","tableId","registration":{...},"by","reason","at"}}.
     */
    public static final String TABLE_REGISTRY = "table.registry.v1";

    /** Kafka: readings the safety service could not read, the original bytes. */
    public static final String TELEMETRY_READINGS_DEAD_LETTERS = TELEMETRY_READINGS + DEAD_LETTER_SUFFIX;

    /** Kafka: status changes the safety service could not read, the original bytes. */
    public static final String TABLE_STATUS_DEAD_LETTERS = TABLE_STATUS + DEAD_LETTER_SUFFIX;

    /** MQTT filter for every table's telemetry: {@code fleets/{fleetId}/tables/{tableId}/telemetry}. */
    public static final String MQTT_TELEMETRY_FILTER = "fleets/+/tables/+/telemetry";

    /** MQTT filter for every table's retained status: {@code fleets/{fleetId}/tables/{tableId}/status}. */
    public static final String MQTT_STATUS_FILTER = "fleets/+/tables/+/status";

    private Topics() {
    }

    /** Where a consumer puts the records of this topic that it cannot read. */
    public static String deadLettersOf(String topic) {
        return topic + DEAD_LETTER_SUFFIX;
    }

    public static String mqttTelemetryTopic(String fleetId, String tableId) {
        return "fleets/" + fleetId + "/tables/" + tableId + "/telemetry";
    }

    public static String mqttStatusTopic(String fleetId, String tableId) {
        return "fleets/" + fleetId + "/tables/" + tableId + "/status";
    }
}
