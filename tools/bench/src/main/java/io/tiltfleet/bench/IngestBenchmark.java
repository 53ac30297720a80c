package io.tiltfleet.bench;

import io.tiltfleet.contract.DevicePayloads;
import io.tiltfleet.contract.TelemetryReading;
import io.tiltfleet.contract.Topics;
import io.tiltfleet.embedded.KafkaBroker;
import io.tiltfleet.embedded.LoopbackHttp;
import io.tiltfleet.embedded.ManagedProcess;
import io.tiltfleet.embedded.MosquittoBroker;
import io.tiltfleet.embedded.Ports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * Sustained ingest throughput (QoS 1, PUBACK only after Kafka) next to what the same machine does
 * without the ingest, in the same run: Mosquitto QoS 1 publish-to-subscriber, and a Kafka producer
 * with the ingest's settings (acks=all, idempotent).
 *
 * <p>Usage: {@code IngestBenchmark [messages] [tables] [ingest jar]}
 */
public final class IngestBenchmark {

    /** As many as the pipeline benchmark's load uses; each is a table's channel to the broker, kept in order. */
    static final int PUBLISHING_CONNECTIONS = 16;
    /** Published and not yet acknowledged at once: enough for every connection's window, bounded so that memory is. */
    private static final int MOST_UNACKNOWLEDGED = 4_000;

    private IngestBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int tables = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        Path ingestJar = Path.of(args.length > 2 ? args[2] : "services/ingest-service/target/ingest-service-0.1.0-SNAPSHOT-exec.jar");
        Path scratch = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "bench-");
        System.out.printf("ingest benchmark: %,d QoS 1 readings from %d tables, %d cores, data in %s%n",
                messages, tables, Runtime.getRuntime().availableProcessors(), scratch);

        try (MosquittoBroker mqtt = MosquittoBroker.start(scratch.resolve("mosquitto"));
             KafkaBroker kafka = KafkaBroker.start(scratch.resolve("kafka"), Ports.free(), 12)) {
            publishAll(mqtt, "warm-up", Math.min(messages, 20_000), tables); // JIT-compiles the publishers before anything is timed
            double mosquittoRate = Baselines.mosquittoQos1(mqtt, messages, tables);
            report("Mosquitto QoS 1 publish -> subscriber (baseline)", messages, mosquittoRate, mosquittoRate);
            double kafkaRate = Baselines.kafkaProducer(kafka, messages, tables);
            report("Kafka producer acks=all, idempotent (baseline)", messages, kafkaRate, mosquittoRate);
            double ingestRate = ingest(mqtt, kafka, ingestJar, scratch, messages, tables);
            report("MQTT -> ingest -> Kafka, PUBACK after Kafka", messages, ingestRate, mosquittoRate);
        }
    }

    private static double ingest(MosquittoBroker mqtt, KafkaBroker kafka, Path jar, Path scratch, int messages, int tables) throws Exception {
        int port = Ports.free();
        ManagedProcess ingest = ManagedProcess.start("ingest-service", List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m", "-jar", jar.toString(),
                "--server.port=" + port,
                "--tiltfleet.ingest.mqtt.broker-uri=" + mqtt.uri(),
                "--tiltfleet.ingest.mqtt.client-id=bench-ingest",
                "--spring.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                "--logging.level.root=WARN"), scratch.resolve("ingest.log"));
        ingest.awaitReady(() -> LoopbackHttp.get(port, "/actuator/health/mqtt").contains("\"UP\""), Duration.ofSeconds(90));
        try {
            String fleet = "bench";
            Instant start = Instant.now();
            publishAll(mqtt, fleet, messages, tables);
            awaitOffsets(kafka, messages);
            return messages / seconds(start);
        } finally {
            ingest.stop(Duration.ofSeconds(30));
        }
    }

    /** Every table publishes its share as fast as the broker acknowledges, all tables at once, over a few connections. */
    static void publishAll(MosquittoBroker mqtt, String fleet, int messages, int tables) {
        try (LoadConnections connections = LoadConnections.connect(mqtt.uri(), "publish-all-" + fleet, PUBLISHING_CONNECTIONS)) {
            Semaphore unacknowledged = new Semaphore(MOST_UNACKNOWLEDGED);
            List<CompletableFuture<Void>> sent = new ArrayList<>(messages);
            for (int i = 0; i < messages / tables * tables; i++) {
                String table = "table-" + i % tables;
                unacknowledged.acquireUninterruptibly();
                sent.add(connections.publish(i % tables, Topics.mqttTelemetryTopic(fleet, table),
                        DevicePayloads.telemetry(reading(fleet, table, i / tables + 1))).whenComplete((acknowledged, failure) -> unacknowledged.release()));
            }
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).join();
        }
    }

    static TelemetryReading reading(String fleet, String table, long seq) {
        return new TelemetryReading(fleet, table, seq, Instant.now(), "s-" + table, 20 + seq % 45, seq * 0.2, true);
    }

    private static void awaitOffsets(KafkaBroker kafka, long expected) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(List.of(Topics.TELEMETRY_READINGS)).allTopicNames().get().get(Topics.TELEMETRY_READINGS)
                    .partitions().forEach(p -> latest.put(new TopicPartition(Topics.TELEMETRY_READINGS, p.partition()), OffsetSpec.latest()));
            long stored = 0;
            while (stored < expected) {
                stored = admin.listOffsets(latest).all().get().values().stream().mapToLong(o -> o.offset()).sum();
                Thread.sleep(50);
            }
        }
    }

    static double seconds(Instant since) {
        return Duration.between(since, Instant.now()).toNanos() / 1e9;
    }

    private static void report(String what, int messages, double perSecond, double baseline) {
        System.out.printf("%-52s %,9d msgs  %,10.0f msg/s  %5.2fx of Mosquitto QoS 1%n", what, messages, perSecond, perSecond / baseline);
    }
}
