package io.tiltfleet.bench;

import io.tiltfleet.contract.DevicePayloads;
import io.tiltfleet.contract.TelemetryReading;
import io.tiltfleet.contract.Topics;
import io.tiltfleet.simulator.TablePublisher;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

/**
 * Publish-to-alert latency as a dashboard sees it: a new table goes over its angle limit over MQTT,
 * and the clock stops when its alert arrives on the fleet's event stream of the safety service.
 */
final class AlertProbe implements AutoCloseable {

    private final TablePublisher probe;
    private final SseRecorder stream;
    private final Duration timeout;
    private int probes;

    AlertProbe(String mqttUri, int safetyPort, Duration timeout) {
        this.probe = TablePublisher.connect(mqttUri, "bench", "probe-connection");
        this.stream = SseRecorder.open(safetyPort, "/api/fleet/bench/stream");
        this.timeout = timeout;
    }

    /** Readings the probes published so far: two each. */
    long published() {
        return 2L * probes;
    }

    /**
     * Two readings at 80 degrees 2 s apart by the table's own clock; the second raises the alert.
     * Returns milliseconds, or the timeout when no alert came.
     */
    long measure() {
        String tableId = "probe-" + probes++;
        Instant now = Instant.now();
        String topic = Topics.mqttTelemetryTopic("bench", tableId);
        probe.publish(topic, DevicePayloads.telemetry(new TelemetryReading("bench", tableId, 1, now.minusSeconds(2), "s-" + tableId, 80, 8, true))).join();
        long sent = System.nanoTime();
        probe.publish(topic, DevicePayloads.telemetry(new TelemetryReading("bench", tableId, 2, now, "s-" + tableId, 80, 10, true)));
        return stream.awaitAlertOf(tableId, timeout).thenApply(arrived -> (arrived - sent) / 1_000_000)
                .exceptionally(timedOut -> timeout.toMillis()).join();
    }

    @Override
    public void close() {
        stream.close();
        probe.close();
    }

    /** Reads the SSE stream line by line and notes when each table's first alert event arrived. */
    private static final class SseRecorder implements AutoCloseable {

        private final Map<String, CompletableFuture<Long>> alerts = new ConcurrentHashMap<>();
        private final CompletableFuture<HttpResponse<Void>> connection;

        private SseRecorder(int port, String path) {
            connection = HttpClient.newHttpClient().sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                    HttpResponse.BodyHandlers.fromLineSubscriber(new Flow.Subscriber<String>() {
                        @Override
                        public void onSubscribe(Flow.Subscription subscription) {
                            subscription.request(Long.MAX_VALUE);
                        }

                        @Override
                        public void onNext(String line) {
                            if (line.startsWith("data:") && line.contains("\"alertId\"")) {
                                long now = System.nanoTime();
                                int at = line.indexOf("\"tableId\":\"") + 11;
                                alerts.computeIfAbsent(line.substring(at, line.indexOf('"', at)), t -> new CompletableFuture<>()).complete(now);
                            }
                        }

                        @Override
                        public void onError(Throwable failure) {
                        }

                        @Override
                        public void onComplete() {
                        }
                    }));
        }

        static SseRecorder open(int port, String path) {
            return new SseRecorder(port, path);
        }

        CompletableFuture<Long> awaitAlertOf(String tableId, Duration timeout) {
            return alerts.computeIfAbsent(tableId, t -> new CompletableFuture<>()).orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public void close() {
            connection.cancel(true);
        }
    }
}
