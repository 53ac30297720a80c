package io.tiltfleet.simulator;

import io.tiltfleet.contract.DevicePayloads;
import io.tiltfleet.contract.TelemetryReading;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/** Broken firmware, in a few typical ways: what the ingest must refuse with a reason and survive. */
final class MalformedPayloads {

    private static final List<Function<String, String>> BREAKAGES = List.of(
            json -> json.substring(0, json.length() / 2),
            json -> json.replaceFirst("\"angleDeg\":[-0-9.]+", "\"angleDeg\":500"),
            json -> json.replaceFirst("\"seq\":[0-9]+,", ""),
            json -> json.replaceFirst("\"elapsedS\":[0-9.]+", "\"elapsedS\":-1"),
            json -> json.replaceFirst("\"schema\":1", "\"schema\":9"),
            json -> json.replaceFirst("\"angleDeg\":[-0-9.]+", "\"angleDeg\":NaN"));

    private MalformedPayloads() {
    }

    static byte[] breakOne(TelemetryReading reading, Random random) {
        String json = new String(DevicePayloads.telemetry(reading), StandardCharsets.UTF_8);
        return BREAKAGES.get(random.nextInt(BREAKAGES.size())).apply(json).getBytes(StandardCharsets.UTF_8);
    }
}
