package io.tiltfleet.contract;

import java.time.Instant;
import java.util.Arrays;

/**
 * A device message the ingest refused, as published to {@link Topics#TELEMETRY_REJECTED}: stored,
 * not dropped, so that a firmware or fleet problem can be diagnosed from the original bytes.
 *
 * @param payload          the raw bytes as received, cut to {@link DeviceMessageValidator#MAX_PAYLOAD_BYTES}
 *                         when larger (JSON: base64)
 * @param payloadSize      the size of the payload as received, in bytes
 * @param payloadTruncated whether {@code payload} holds only the first bytes of it
 */
public record RejectedMessage(String mqttTopic, Instant receivedAt, RejectReason reason,
                              byte[] payload, int payloadSize, boolean payloadTruncated) {

    public static RejectedMessage of(String mqttTopic, Instant receivedAt, RejectReason reason, byte[] payload) {
        int kept = Math.min(payload.length, DeviceMessageValidator.MAX_PAYLOAD_BYTES);
        byte[] stored = kept == payload.length ? payload : Arrays.copyOf(payload, kept);
        return new RejectedMessage(mqttTopic, receivedAt, reason, stored, payload.length, kept < payload.length);
    }
}
