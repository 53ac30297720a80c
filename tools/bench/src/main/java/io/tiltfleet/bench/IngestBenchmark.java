package io.tiltfleet.bench;

import io.tiltfleet.contract.DevicePayloads;
import io.tiltfleet.contract.TelemetryReading;
import io.tiltfleet.contract.Topics;
import io.tiltfleet.embedded.KafkaBroker;
import io.tiltfleet.embedded.KafkaBroker.Compilation;
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
 * with the ingest's settings (acks=all, idempotent). The ingest runs from its jar and is warmed up until its
 * compilers rest; the processor shares of the publishers, Mosquitto, the ingest and Kafka are printed next to
 * the figures.
 *
 * <p>Usage: {@code IngestBenchmark [messages] [tables]}
 */
public final class IngestBenchmark {

    /** As many as the pipeline benchmark's load uses; each is a table's channel to the broker, kept in order. */
    static final int PUBLISHING_CONNECTIONS = 16;
    /** Published and not yet acknowledged at once: enough for every connection's window, bounded so that memory is. */
    private static final int MOST_UNACKNOWLEDGED = 4_000;
    private static final int STALL_SECONDS = 60;

    private IngestBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int tables = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        Path scratch = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "bench-");
        System.out.printf("ingest benchmark: %,d QoS 1 readings from %d tables, %d cores, data in %s%n",
                messages, tables, Runtime.getRuntime().availableProcessors(), scratch);

        try (MosquittoBroker mqtt = MosquittoBroker.start(scratch.resolve("mosquitto"));
             KafkaBroker kafka = KafkaBroker.start(scratch.resolve("kafka"), Ports.free(), 12, Compilation.LONG_RUNNING)) {
            publishAll(mqtt, "warm-up", Math.min(messages, 20_000), tables); // JIT-compiles the publishers before anything is timed
            Duration generatorBefore = LoadConnections.processorTime();
            Duration mosquittoBefore = ProcessStats.cpuTime(mqtt.pid());
            Instant start = Instant.now();
            double mosquittoRate = Baselines.mosquittoQos1(mqtt, messages, tables);
            report("Mosquitto QoS 1 publish -> subscriber (baseline)", messages, mosquittoRate, mosquittoRate,
                    String.format("publishers and subscriber %.0f%% of a core, Mosquitto %.0f%%",
                            generatorShare(generatorBefore, start), processShare(mqtt.pid(), mosquittoBefore, start)));
            double kafkaRate = Baselines.kafkaProducer(kafka, messages, tables);
            report("Kafka producer acks=all, idempotent (baseline)", messages, kafkaRate, mosquittoRate, "");
            ServiceProcess ingest = ServiceProcess.start("ingest-service", scratch, Ports.free(), "512m",
                    "--tiltfleet.ingest.mqtt.broker-uri=" + mqtt.uri(), "--tiltfleet.ingest.mqtt.client-id=bench-ingest",
                    "--spring.kafka.bootstrap-servers=" + kafka.bootstrapServers());
            try {
                warmUp(mqtt, kafka, ingest, messages, tables);
                long storedBefore = storedReadings(kafka);
                generatorBefore = LoadConnections.processorTime();
                mosquittoBefore = ProcessStats.cpuTime(mqtt.pid());
                Duration kafkaBefore = ProcessStats.cpuTime(kafka.pid());
                Duration ingestBefore = ingest.cpuTime();
                start = Instant.now();
                publishAll(mqtt, "bench", messages, tables);
                awaitOffsets(kafka, storedBefore + messages / tables * tables);
                double seconds = seconds(start);
                Duration ingestUsed = ingest.cpuTime().minus(ingestBefore);
                report("MQTT -> ingest -> Kafka, PUBACK after Kafka", messages, messages / seconds, mosquittoRate,
                        String.format("publishers %.0f%% of a core, Mosquitto %.0f%%, ingest %.0f%% (%.0f us per message), Kafka %.0f%%",
                                generatorShare(generatorBefore, start), processShare(mqtt.pid(), mosquittoBefore, start),
                                PipelineBenchmark.share(ingestUsed, seconds), ingestUsed.toNanos() / 1_000.0 / messages,
                                processShare(kafka.pid(), kafkaBefore, start)));
            } finally {
                ingest.stop();
            }
        }
    }

    /** Rounds of as many messages as the timed run until the ingest's compilers rest ({@link CompilerRest}): a cold ingest measures its compilers. */
    private static void warmUp(MosquittoBroker mqtt, KafkaBroker kafka, ServiceProcess ingest, int messages, int tables) throws Exception {
        CompilerRest.warmUp("the ingest's", ingest::compilationTime, round -> {
            long storedBefore = storedReadings(kafka);
            Instant start = Instant.now();
            publishAll(mqtt, "warm-up-" + round, messages, tables);
            awaitOffsets(kafka, storedBefore + messages / tables * tables);
            return String.format(", %,.0f msg/s", messages / seconds(start));
        });
    }

    private static double generatorShare(Duration before, Instant start) {
        return PipelineBenchmark.share(LoadConnections.processorTime().minus(before), seconds(start));
    }

    private static double processShare(long pid, Duration before, Instant start) {
        return PipelineBenchmark.share(ProcessStats.cpuTime(pid).minus(before), seconds(start));
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

    /** Readings Kafka holds: what the timed part waits for is counted from here, whatever came before. */
    private static long storedReadings(KafkaBroker kafka) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            return storedReadings(admin);
        }
    }

    private static long storedReadings(Admin admin) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        admin.describeTopics(List.of(Topics.TELEMETRY_READINGS)).allTopicNames().get().get(Topics.TELEMETRY_READINGS)
                .partitions().forEach(p -> latest.put(new TopicPartition(Topics.TELEMETRY_READINGS, p.partition()), OffsetSpec.latest()));
        return admin.listOffsets(latest).all().get().values().stream().mapToLong(o -> o.offset()).sum();
    }

    private static void awaitOffsets(KafkaBroker kafka, long expected) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            long stored = 0;
            long storedBefore = -1;
            Instant lastProgress = Instant.now();
            while (stored < expected) {
                stored = storedReadings(admin);
                if (stored > storedBefore) {
                    storedBefore = stored;
                    lastProgress = Instant.now();
                } else if (seconds(lastProgress) > STALL_SECONDS) {
                    throw new IllegalStateException("Kafka holds %,d of the %,d readings and no more for %d s: see the ingest's log"
                            .formatted(stored, expected, STALL_SECONDS));
                }
                Thread.sleep(50);
            }
        }
    }

    static double seconds(Instant since) {
        return Duration.between(since, Instant.now()).toNanos() / 1e9;
    }

    private static void report(String what, int messages, double perSecond, double baseline, String processor) {
        System.out.printf("%-52s %,9d msgs  %,10.0f msg/s  %5.2fx of Mosquitto QoS 1  %s%n", what, messages, perSecond, perSecond / baseline, processor);
    }
}
