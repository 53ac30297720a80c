package io.tiltfleet.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tiltfleet.contract.TableStatus;
import io.tiltfleet.contract.TelemetryReading;
import io.tiltfleet.contract.Topics;
import io.tiltfleet.embedded.KafkaBroker;
import io.tiltfleet.embedded.MosquittoBroker;
import io.tiltfleet.embedded.SharedBrokers;
import io.tiltfleet.embedded.TopicReader;
import io.tiltfleet.simulator.TablePublisher;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** MQTT in, Kafka out, through a real Mosquitto and a real Kafka broker. */
class IngestPipelineTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final Instant FIRST_READING = Instant.now();
    static MosquittoBroker mqtt;
    static KafkaBroker kafka;
    static RunningIngest ingest;

    @BeforeAll
    static void startPipeline() {
        mqtt = MosquittoBroker.start(SharedBrokers.scratchDirectory("mosquitto"));
        kafka = SharedBrokers.kafka();
        ingest = RunningIngest.start(mqtt.uri(), kafka.bootstrapServers(), "pipeline-test");
    }

    @AfterAll
    static void stopPipeline() {
        ingest.close();
        mqtt.close();
    }

    @Test
    void twentyThousandReadingsOfFiftyTablesReachKafkaOnceEachInPerTableSeqOrderKeyedByFleetAndTable() {
        fiftyTablesReachKafkaOnceEachInOrder(mqtt.uri(), kafka.bootstrapServers());
    }

    /** 50 tables publish 400 readings each at once through the ingest running against these brokers. */
    static void fiftyTablesReachKafkaOnceEachInOrder(String mqttUri, String kafkaBootstrap) {
        // Given 50 tables, each on its own MQTT connection
        String fleet = "fleet-" + UUID.randomUUID().toString().substring(0, 8);
        int tables = 50;
        int perTable = 400;
        List<TablePublisher> publishers = TablePublisher.connectAll(mqttUri, fleet,
                IntStream.range(0, tables).mapToObj(i -> "table-" + i).toList());

        // When each publishes 400 QoS 1 readings, all at once
        ExecutorService tablesAtOnce = Executors.newFixedThreadPool(tables);
        CompletableFuture.allOf(publishers.stream().map(table -> CompletableFuture.runAsync(() -> IntStream.rangeClosed(1, perTable)
                        .mapToObj(seq -> table.publish(reading(fleet, table.tableId(), seq)))
                        .toList().forEach(CompletableFuture::join), tablesAtOnce))
                .toArray(CompletableFuture[]::new)).join();
        tablesAtOnce.shutdown();
        publishers.forEach(TablePublisher::close);

        // Then every reading is in Kafka exactly once, keyed by its fleet and table, in seq order on its partition
        List<ConsumerRecord<String, String>> stored = TopicReader.read(kafkaBootstrap, Topics.TELEMETRY_READINGS,
                record -> record.value().contains("\"fleetId\":\"" + fleet + "\""),
                read -> read.size() >= tables * perTable, Duration.ofSeconds(90));
        assertThat(stored).hasSize(tables * perTable);
        // each message starts its own trace, which the record carries on to the consumers, sampled or not
        List<String> traceIds = stored.stream().map(IngestPipelineTest::traceIdOf).toList();
        assertThat(traceIds).doesNotHaveDuplicates();

        Map<String, List<ConsumerRecord<String, String>>> byTable = stored.stream()
                .collect(Collectors.groupingBy(ConsumerRecord::key));
        assertThat(byTable).hasSize(tables);
        byTable.forEach((key, records) -> {
            assertThat(records).extracting(ConsumerRecord::partition).as("partitions of %s", key).containsOnly(records.get(0).partition());
            List<TelemetryReading> readings = records.stream()
                    .sorted((a, b) -> Long.compare(a.offset(), b.offset()))
                    .map(record -> JSON.readValue(record.value(), TelemetryReading.class)).toList();
            assertThat(readings).extracting(reading -> reading.table().key()).containsOnly(key);
            assertThat(readings).extracting(TelemetryReading::seq).as("seq order of %s", key)
                    .containsExactlyElementsOf(IntStream.rangeClosed(1, perTable).mapToObj(Long::valueOf).toList());
        });
    }

    private static String traceIdOf(ConsumerRecord<String, String> record) {
        Header traceparent = record.headers().lastHeader("traceparent");
        assertThat(traceparent).as("traceparent of %s@%d", record.key(), record.offset()).isNotNull();
        String value = new String(traceparent.value(), StandardCharsets.UTF_8);
        assertThat(value).as("W3C traceparent").matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]").doesNotStartWith("00-" + "0".repeat(32));
        return value.substring(3, 35);
    }

    @Test
    void metricsAndHealthShowTheFlowAndBothConnections() {
        String fleet = "fleet-" + UUID.randomUUID().toString().substring(0, 8);
        try (TablePublisher table = TablePublisher.connect(mqtt.uri(), fleet, "t-1")) {
            table.publish(reading(fleet, "t-1", 1)).join();
            table.publish("fleets/" + fleet + "/tables/t-1/telemetry", "{not json").join();
        }

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            String prometheus = ingest.get("/actuator/prometheus");
            assertThat(prometheus).contains("tiltfleet_ingest_messages_received_total{application=\"ingest-service\"}");
            assertThat(counter(prometheus, "tiltfleet_ingest_messages_forwarded_total{application=\"ingest-service\",kind=\"telemetry\"}")).isGreaterThanOrEqualTo(1);
            assertThat(counter(prometheus, "tiltfleet_ingest_messages_rejected_total{application=\"ingest-service\",reason=\"MALFORMED_JSON\"}")).isGreaterThanOrEqualTo(1);
            assertThat(prometheus).contains("tiltfleet_ingest_messages_inflight{application=\"ingest-service\"}");
            assertThat(prometheus).contains("tiltfleet_ingest_kafka_send_seconds_bucket");
        });
        String health = ingest.get("/actuator/health");
        assertThat(health).contains("\"kafka\":{\"details\":{\"brokers\":1,\"forwardFailures\":0},\"status\":\"UP\"}");
        assertThat(health).contains("\"clientId\":\"pipeline-test\"").contains("\"subscription\":\"granted\"");
        assertThat(ingest.get("/actuator/health/readiness")).contains("\"kafka\"").contains("\"mqtt\"");
        assertThat(ingest.readiness()).isEqualTo("UP");
    }

    @Test
    void theSameTableIdInTwoFleetsKeepsTwoKeysOnTheCompactedStatusTopic() throws Exception {
        // Given two fleets that each have a table-001
        String first = "fleet-" + UUID.randomUUID().toString().substring(0, 8);
        String second = "fleet-" + UUID.randomUUID().toString().substring(0, 8);
        Instant now = Instant.now();

        // When both report a status
        for (String fleet : List.of(first, second)) {
            try (TablePublisher table = TablePublisher.connect(mqtt.uri(), fleet, "table-001")) {
                table.publishStatus(TableStatus.State.ONLINE, now).join();
            }
        }

        // Then the compacted topic holds one record under each fleet's own key: compaction keeps both
        List<ConsumerRecord<String, String>> statuses = TopicReader.read(kafka.bootstrapServers(), Topics.TABLE_STATUS,
                record -> record.value().contains(first) || record.value().contains(second), read -> read.size() >= 2, Duration.ofSeconds(30));
        assertThat(statuses).extracting(ConsumerRecord::key).containsExactlyInAnyOrder(first + "/table-001", second + "/table-001");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, Topics.TABLE_STATUS);
            assertThat(admin.describeConfigs(List.of(topic)).all().get().get(topic).get(TopicConfig.CLEANUP_POLICY_CONFIG).value())
                    .isEqualTo(TopicConfig.CLEANUP_POLICY_COMPACT);
        }
    }

    static double counter(String prometheus, String series) {
        return prometheus.lines().filter(line -> line.startsWith(series + " "))
                .mapToDouble(line -> Double.parseDouble(line.substring(series.length() + 1))).findFirst().orElse(0);
    }

    /** Readings dated from the start of the test run on: the ingest refuses a table clock a day off. */
    static TelemetryReading reading(String fleet, String table, long seq) {
        return new TelemetryReading(fleet, table, seq, FIRST_READING.plusMillis(200 * seq),
                "s-" + table, 20 + seq % 40, seq * 0.2, true);
    }
}
