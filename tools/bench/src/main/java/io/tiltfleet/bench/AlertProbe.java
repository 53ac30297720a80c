package io.tiltfleet.bench;

import io.tiltfleet.contract.DevicePayloads;
import io.tiltfleet.contract.TelemetryReading;
import io.tiltfleet.contract.Topics;
import io.tiltfleet.embedded.LocalWebhookReceiver;
import io.tiltfleet.embedded.LoopbackHttp;
import io.tiltfleet.simulator.TablePublisher;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Publish-to-alert latency as a dashboard sees it and as a person on call gets it: a new table goes over
 * its angle limit over MQTT, and one clock stops when its alert arrives on the fleet's event stream of
 * the safety service, another when the notification service's signed webhook for it reaches a receiver
 * here (the fleet's policy sends over-angle alerts to it at once). Two more, when its reading reaches the
 * readings topic and its alert the alert topic, tell the ingest's, the rules' and the stream's shares.
 */
final class AlertProbe implements AutoCloseable {

    /**
     * Milliseconds from the publish to the reading's record in Kafka, to the alert record, to the stream
     * and to the webhook; the timeout for any that never came.
     */
    record Latency(long reading, long record, long stream, long webhook) {
    }

    private static final String WEBHOOK_SECRET = "bench-webhook-secret-0123";
    /** The probes' fleet, and how their table ids begin. */
    static final String FLEET = "bench";
    static final String TABLE_PREFIX = "probe-";
    private static final Pattern PROBE_TABLE = Pattern.compile(FLEET + "/(" + TABLE_PREFIX + "\\d+) ");

    private final TablePublisher probe;
    private final AlertStream stream;
    private final LocalWebhookReceiver receiver;
    private final ProbeRecords readings;
    private final ProbeRecords records;
    private final Map<String, CompletableFuture<Long>> webhooks = new ConcurrentHashMap<>();
    private final Duration timeout;
    private int probes;

    AlertProbe(String mqttUri, String kafkaServers, int safetyPort, int notificationPort, Duration timeout) throws IOException {
        this.receiver = LocalWebhookReceiver.start(0, WEBHOOK_SECRET, this::received);
        HttpResponse<String> policy = LoopbackHttp.send(notificationPort, "PUT", "/api/fleets/" + FLEET + "/notification-policies",
                "{\"channels\":[{\"id\":\"bench-hook\",\"kind\":\"WEBHOOK\",\"url\":\"http://127.0.0.1:" + receiver.port()
                        + LocalWebhookReceiver.PATH + "\",\"secret\":\"" + WEBHOOK_SECRET + "\"}],"
                        + "\"rules\":[{\"types\":[\"OVER_ANGLE\"],\"tiers\":[{\"after\":\"PT0S\",\"channels\":[\"bench-hook\"]}]}]}",
                Map.of("Content-Type", "application/json"));
        if (policy.statusCode() != 200) {
            throw new IllegalStateException("the notification service refused the bench's policy: " + policy.statusCode() + " " + policy.body());
        }
        this.probe = TablePublisher.connect(mqttUri, FLEET, "probe-connection");
        this.stream = AlertStream.open(safetyPort, "/api/fleet/" + FLEET + "/stream");
        this.readings = new ProbeRecords(kafkaServers, Topics.TELEMETRY_READINGS, 2);
        this.records = new ProbeRecords(kafkaServers, Topics.SAFETY_ALERTS, 1);
        this.timeout = timeout;
    }

    /** A notification line of the receiver: only verified ones count as arrived. */
    private void received(String line) {
        long now = System.nanoTime();
        Matcher table = PROBE_TABLE.matcher(line);
        if (table.find() && line.endsWith("signature verified")) {
            webhooks.computeIfAbsent(table.group(1), t -> new CompletableFuture<>()).complete(now);
        }
    }

    /** Readings the probes published so far: two each. */
    long published() {
        return 2L * probes;
    }

    /**
     * Two readings at 80 degrees 2 s apart by the table's own clock; the second raises the alert. Each
     * latency is the timeout when its alert never came within it.
     */
    Latency measure() {
        String tableId = TABLE_PREFIX + probes++;
        Instant now = Instant.now();
        String topic = Topics.mqttTelemetryTopic(FLEET, tableId);
        probe.publish(topic, DevicePayloads.telemetry(new TelemetryReading(FLEET, tableId, 1, now.minusSeconds(2), "s-" + tableId, 80, 8, true))).join();
        long sent = System.nanoTime();
        probe.publish(topic, DevicePayloads.telemetry(new TelemetryReading(FLEET, tableId, 2, now, "s-" + tableId, 80, 10, true)));
        long onStream = since(sent, stream.awaitAlertOf(tableId, timeout));
        long byWebhook = since(sent, webhooks.computeIfAbsent(tableId, t -> new CompletableFuture<>())
                .orTimeout(Math.max(1, timeout.toMillis() - onStream), TimeUnit.MILLISECONDS));
        long inKafka = since(sent, records.arrival(tableId).orTimeout(Math.max(1, timeout.toMillis() - Math.max(onStream, byWebhook)), TimeUnit.MILLISECONDS));
        long read = since(sent, readings.arrival(tableId).orTimeout(Math.max(1, timeout.toMillis() - Math.max(onStream, byWebhook)), TimeUnit.MILLISECONDS));
        return new Latency(read, inKafka, onStream, byWebhook);
    }

    private long since(long sent, CompletableFuture<Long> arrival) {
        return arrival.thenApply(arrived -> (arrived - sent) / 1_000_000).exceptionally(timedOut -> timeout.toMillis()).join();
    }

    @Override
    public void close() {
        stream.close();
        records.close();
        readings.close();
        probe.close();
        receiver.close();
    }

    /** Times the stream was cut so far; each time it resumed with Last-Event-ID. */
    int disconnects() {
        return stream.disconnects();
    }
}
