package io.tiltfleet.contract;

/** What {@link DeviceMessageValidator} made of one MQTT message: exactly one of these. */
public sealed interface ValidationResult {

    /** The Kafka key the result is published under: the table id. */
    String tableId();

    record Reading(TelemetryReading reading) implements ValidationResult {
        @Override
        public String tableId() {
            return reading.tableId();
        }
    }

    record Status(TableStatus status) implements ValidationResult {
        @Override
        public String tableId() {
            return status.tableId();
        }
    }

    record Rejected(String tableId, RejectReason reason) implements ValidationResult {
    }
}
