package io.tiltfleet.contract;

/**
 * Headers the ingest adds to each record it stores, so that a record can be traced back to the device message
 * (values UTF-8 text). The trace context travels in the W3C {@code traceparent} header besides these.
 */
public final class RecordHeaders {

    /** The MQTT topic the message arrived on. */
    public static final String MQTT_TOPIC = "tf-mqtt-topic";
    /** When the ingest received the message, ISO-8601. */
    public static final String RECEIVED_AT = "tf-received-at";
    /** {@code true} when the broker delivered the message again (MQTT DUP), else {@code false}. */
    public static final String MQTT_REDELIVERED = "tf-mqtt-redelivered";

    private RecordHeaders() {
    }
}
