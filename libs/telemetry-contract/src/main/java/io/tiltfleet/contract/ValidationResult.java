package io.tiltfleet.contract;

/** What {@link DeviceMessageValidator} made of one MQTT message: exactly one of these. */
public sealed interface ValidationResult {

    /** The Kafka key the result is published under: {@link TableRef#key() fleet and table}. */
    String key();

    record Reading(TelemetryReading reading) implements ValidationResult {
        @Override
        public String key() {
            return reading.table().key();
        }
    }

    record Status(TableStatus status) implements ValidationResult {
        @Override
        public String key() {
            return status.table().key();
        }
    }

    record Rejected(String key, RejectReason reason) implements ValidationResult {
    }
}
