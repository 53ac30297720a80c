package io.tiltfleet.contract;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Writes the payloads a table sends, exactly as the device contract has them: for simulators and tests. */
public final class DevicePayloads {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private DevicePayloads() {
    }

    public static byte[] telemetry(TelemetryReading reading) {
        ObjectNode node = JSON.createObjectNode()
                .put("schema", DeviceMessageValidator.TELEMETRY_SCHEMA_VERSION)
                .put("seq", reading.seq())
                .put("ts", reading.ts().toString());
        if (reading.sessionId() != null) {
            node.put("sessionId", reading.sessionId());
        }
        node.put("angleDeg", reading.angleDeg())
                .put("elapsedS", reading.elapsedS())
                .put("locked", reading.locked());
        return JSON.writeValueAsBytes(node);
    }

    public static byte[] status(TableStatus.State state, Instant ts) {
        return status(state, ts, null, null);
    }

    /** A status saying what the table runs and is; either may be null, and is then left out. */
    public static byte[] status(TableStatus.State state, Instant ts, String firmware, String model) {
        ObjectNode node = JSON.createObjectNode()
                .put("state", state.name().toLowerCase(Locale.ROOT))
                .put("ts", ts.toString());
        if (firmware != null) {
            node.put("firmware", firmware);
        }
        if (model != null) {
            node.put("model", model);
        }
        return JSON.writeValueAsString(node).getBytes(StandardCharsets.UTF_8);
    }
}
