package io.tiltfleet.contract;

/** What {@link DeviceMessageValidator} made of one MQTT message: exactly one of these. */
public sealed interface ValidationResult {

    /** The Kafka key the result is published under: {@link Topics#tableKey fleet and table}. */
    String key();

    record Reading(TelemetryReading reading) implements ValidationResult {
        @Override
        public String key() {
            return Topics.tableKey(reading.fleetId(), reading.tableId());
        }
    }

    record Status(TableStatus status) implements ValidationResult {
        @Override
        public String key() {
            return Topics.tableKey(status.fleetId(), status.tableId());
        }
    }

    record Rejected(String key, RejectReason reason) implements ValidationResult {
    }
}
