package io.tiltfleet.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tiltfleet.contract.TableRef;
import io.tiltfleet.contract.TelemetryReading;
import io.tiltfleet.contract.Topics;
import io.tiltfleet.embedded.FaultReport;
import io.tiltfleet.embedded.LoopbackHttp;
import io.tiltfleet.embedded.TopicReader;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntToDoubleFunction;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Eight tables of one fleet that go over their angle limit, stay there, and come back: each owes
 * exactly one over-angle alert, raised once and cleared once, whatever happens to the service
 * meanwhile. Readings go straight into the readings topic, one second apart in their own time.
 */
final class OverAngleEpisodes implements AutoCloseable {

    static final int TABLES = 8;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final String fleet;
    private final String kafka;
    private final Instant start = Instant.now().minusSeconds(600);
    private final KafkaProducer<String, String> producer;
    private int stayedUntil = 12;

    OverAngleEpisodes(String fleet, String kafka) {
        this.fleet = fleet;
        this.kafka = kafka;
        RunningSafety.createTelemetryTopics(kafka);
        this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka, ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new StringSerializer());
    }

    /** Second 0: every table lying flat, known to the rules before anything happens. */
    void lieFlat() {
        send(0, 1, second -> 0);
    }

    /** Seconds 0-11: up to 70 degrees, 10 over the limit; the alerts are due from second 12. */
    void goOver() {
        send(0, 12, second -> Math.min(70, second * 7.0));
    }

    /** Seconds 12-19 at 70, then back down at 14 degrees/s (no rapid return) and flat until second 29: every alert is due to clear. */
    void stayThenComeBack() {
        send(12, 20, second -> 70);
        comeBack(20);
    }

    /** One more second at 70 degrees, from second 12 on: a table that keeps talking while it stays over its limit. */
    void stayOneMoreSecond() {
        send(stayedUntil, stayedUntil + 1, second -> 70);
        stayedUntil++;
    }

    /** Back down at 14 degrees/s after {@link #stayOneMoreSecond}, then flat for 5 s. */
    void comeBackAfterStaying() {
        comeBack(stayedUntil);
    }

    private void comeBack(int from) {
        send(from, from + 10, second -> Math.max(0, 70 - (second - from + 1) * 14.0));
    }

    private void send(int from, int to, IntToDoubleFunction angleAt) {
        for (int second = from; second < to; second++) {
            for (int table = 0; table < TABLES; table++) {
                String tableId = "t-" + table;
                TelemetryReading reading = new TelemetryReading(fleet, tableId, second + 1, start.plusSeconds(second), "s-1",
                        angleAt.applyAsDouble(second), second, true);
                try {
                    producer.send(new ProducerRecord<>(Topics.TELEMETRY_READINGS, new TableRef(fleet, tableId).key(), JSON.writeValueAsString(reading))).get();
                } catch (Exception e) {
                    throw new IllegalStateException("Kafka did not take a reading of " + tableId, e);
                }
            }
        }
    }

    /** The fleet's stored alerts, as the API of the service on {@code port} lists them. */
    List<JsonNode> alerts(int port) {
        JsonNode list = JSON.readTree(LoopbackHttp.get(port, "/api/alerts?fleetId=" + fleet + "&size=1000"));
        return list.valueStream().toList();
    }

    int active(int port) {
        return (int) alerts(port).stream().filter(alert -> alert.get("state").asString().startsWith("ACTIVE")).count();
    }

    /** How many of the fleet's tables the service shows, from the table states it stored. */
    int tablesShown(int port) {
        return JSON.readTree(LoopbackHttp.get(port, "/api/fleet/" + fleet + "/tables")).size();
    }

    int cleared(int port) {
        return (int) alerts(port).stream().filter(alert -> alert.get("type").asString().equals("OVER_ANGLE")
                && alert.get("state").asString().startsWith("CLEARED")).count();
    }

    void awaitAllCleared(int port) {
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(cleared(port)).as("cleared over-angle alerts among %s", alerts(port))
                .isGreaterThanOrEqualTo(TABLES));
    }

    /**
     * Stored alerts: one per table owed; any other for a table (a second over-angle alert, or a false
     * one of another type) is counted a duplicate; a table without its over-angle alert cleared is a loss.
     */
    FaultReport storedAlerts(String scenario, int port) {
        Map<String, Integer> perTable = new HashMap<>();
        Map<String, Boolean> clearedPerTable = new HashMap<>();
        List<JsonNode> alerts = alerts(port);
        for (JsonNode alert : alerts) {
            String table = alert.get("tableId").asString();
            perTable.merge(table, 1, Integer::sum);
            clearedPerTable.merge(table, alert.get("type").asString().equals("OVER_ANGLE") && alert.get("state").asString().startsWith("CLEARED"),
                    Boolean::logicalOr);
        }
        long duplicates = perTable.values().stream().mapToLong(count -> count - 1).sum();
        long lost = TABLES - clearedPerTable.values().stream().filter(Boolean::booleanValue).count();
        return new FaultReport(scenario, "alerts", TABLES, TABLES, alerts.size(), duplicates, lost).print();
    }

    /** Alert events in Kafka: a RAISED and a CLEARED per table owed; more are duplicates (consumers tell them apart by alert id), fewer are losses. */
    FaultReport alertEvents(String scenario) {
        List<ConsumerRecord<String, String>> events = published();
        Map<String, Integer> raised = new HashMap<>();
        Map<String, Integer> cleared = new HashMap<>();
        for (ConsumerRecord<String, String> event : events) {
            String change = JSON.readTree(event.value()).get("change").asString();
            (change.equals("CLEARED") ? cleared : raised).merge(event.key(), 1, Integer::sum);
        }
        long duplicates = raised.values().stream().mapToLong(count -> count - 1).sum() + cleared.values().stream().mapToLong(count -> count - 1).sum();
        long lost = (TABLES - raised.size()) + (TABLES - cleared.size());
        return new FaultReport(scenario, "alert events", 2L * TABLES, 2L * TABLES, events.size(), duplicates, lost).print();
    }

    /** The fleet's alert events in Kafka, acknowledgements left out. */
    List<ConsumerRecord<String, String>> published() {
        return TopicReader.read(kafka, Topics.SAFETY_ALERTS,
                record -> record.value().contains("\"fleetId\":\"" + fleet + "\"") && !record.value().contains("\"change\":\"ACKNOWLEDGED\""),
                read -> false, Duration.ofSeconds(3));
    }

    @Override
    public void close() {
        producer.close();
    }
}
