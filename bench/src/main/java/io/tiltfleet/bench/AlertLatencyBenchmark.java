package io.tiltfleet.bench;

import io.tiltfleet.contract.DevicePayloads;
import io.tiltfleet.contract.TelemetryReading;
import io.tiltfleet.contract.Topics;
import io.tiltfleet.embedded.KafkaBroker;
import io.tiltfleet.embedded.MongoStandIn;
import io.tiltfleet.embedded.MosquittoBroker;
import io.tiltfleet.embedded.Ports;
import io.tiltfleet.simulator.TablePublisher;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

/**
 * Publish-to-alert latency as a dashboard sees it: a probe table goes over its angle limit over MQTT,
 * and the clock stops when the alert arrives on the fleet's SSE stream, while a background fleet
 * keeps the whole pipeline (Mosquitto, ingest, Kafka, safety service, MongoDB stand-in) busy.
 *
 * <p>Usage: {@code AlertLatencyBenchmark [tables] [readings/s per table] [seconds]}
 */
public final class AlertLatencyBenchmark {

    /** A probe whose alert has not arrived by then counts as this long: the pipeline is not keeping up. */
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);

    private AlertLatencyBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int tables = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        double perTable = args.length > 1 ? Double.parseDouble(args[1]) : 5;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 60;
        Path scratch = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "alert-bench-");
        System.out.printf("alert latency benchmark: %d tables at %.1f readings/s (%.0f/s), %d s, %d cores%n",
                tables, perTable, tables * perTable, seconds, Runtime.getRuntime().availableProcessors());

        try (MosquittoBroker mqtt = MosquittoBroker.start(scratch.resolve("mosquitto"));
             KafkaBroker kafka = KafkaBroker.start(scratch.resolve("kafka"), Ports.free(), 12);
             MongoStandIn mongo = MongoStandIn.start(Ports.free())) {
            ServiceProcess ingest = ServiceProcess.start("ingest-service", scratch, Ports.free(), "768m",
                    "--tiltfleet.ingest.mqtt.broker-uri=" + mqtt.uri(), "--spring.kafka.bootstrap-servers=" + kafka.bootstrapServers());
            ServiceProcess safety = ServiceProcess.start("safety-alert-service", scratch, Ports.free(), "768m",
                    "--spring.kafka.bootstrap-servers=" + kafka.bootstrapServers(), "--spring.mongodb.uri=" + mongo.uri("tiltfleet"),
                    "--management.health.mongodb.enabled=false");
            try (SseRecorder stream = SseRecorder.open(safety.port, "/api/fleet/bench/stream");
                 FleetLoad load = FleetLoad.start(mqtt.uri(), "bench", tables, 50, tables * perTable);
                 TablePublisher probe = TablePublisher.connect(mqtt.uri(), "bench", "probe-connection")) {
                Thread.sleep(10_000); // the load reaches a steady state before anything is timed
                double readingsBefore = safety.counter("tiltfleet_safety_readings_processed_total");
                double forwardedBefore = ingest.counter("tiltfleet_ingest_messages_forwarded_total");
                long acknowledgedBefore = load.acknowledged();
                Instant windowStart = Instant.now();
                List<Long> latencies = new ArrayList<>();
                for (int i = 0; i < seconds; i++) {
                    latencies.add(probeOnce(probe, stream, "probe-" + i));
                    Thread.sleep(Math.max(0, 1000 - latencies.get(latencies.size() - 1)));
                }
                double window = Duration.between(windowStart, Instant.now()).toMillis() / 1000.0;
                double checked = (safety.counter("tiltfleet_safety_readings_processed_total") - readingsBefore) / window;
                double offered = (load.acknowledged() - acknowledgedBefore) / window;
                double forwarded = (ingest.counter("tiltfleet_ingest_messages_forwarded_total") - forwardedBefore) / window;
                Collections.sort(latencies);
                System.out.printf("offered (acknowledged by Mosquitto)   %,10.0f readings/s%n", offered);
                System.out.printf("forwarded to Kafka by the ingest     %,10.0f readings/s%n", forwarded);
                System.out.printf("checked by the safety rules          %,10.0f readings/s%n", checked);
                System.out.printf("publish -> alert on SSE, %d probes    p50 %d ms, p99 %d ms, max %d ms, %d not within %d s%n",
                        latencies.size(), ServiceProcess.percentile(latencies, 50), ServiceProcess.percentile(latencies, 99), latencies.get(latencies.size() - 1),
                        latencies.stream().filter(l -> l >= PROBE_TIMEOUT.toMillis()).count(), PROBE_TIMEOUT.toSeconds());
            } finally {
                safety.stop();
                ingest.stop();
            }
        }
    }

    /** A new table goes to 80 degrees: two readings 2 s apart by their own clock; the second raises the alert. */
    private static long probeOnce(TablePublisher probe, SseRecorder stream, String tableId) {
        Instant now = Instant.now();
        String topic = Topics.mqttTelemetryTopic("bench", tableId);
        probe.publish(topic, DevicePayloads.telemetry(new TelemetryReading("bench", tableId, 1, now.minusSeconds(2), "s-" + tableId, 80, 8, true))).join();
        long sent = System.nanoTime();
        probe.publish(topic, DevicePayloads.telemetry(new TelemetryReading("bench", tableId, 2, now, "s-" + tableId, 80, 10, true)));
        return stream.awaitAlertOf(tableId, PROBE_TIMEOUT).thenApply(arrived -> (arrived - sent) / 1_000_000)
                .exceptionally(timedOut -> PROBE_TIMEOUT.toMillis()).join();
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
