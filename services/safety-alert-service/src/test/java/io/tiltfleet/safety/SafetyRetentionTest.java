package io.tiltfleet.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tiltfleet.contract.AlertChange;
import io.tiltfleet.contract.Topics;
import io.tiltfleet.embedded.MongoStandIn;
import io.tiltfleet.embedded.Ports;
import io.tiltfleet.embedded.RunningService;
import io.tiltfleet.embedded.SharedBrokers;
import io.tiltfleet.safety.alerts.Alert;
import io.tiltfleet.safety.audit.AuditEntry;
import io.tiltfleet.safety.limits.FleetConfigLog;
import io.tiltfleet.safety.rules.AlertSignal;
import io.tiltfleet.safety.rules.AlertType;
import io.tiltfleet.safety.rules.Severity;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Closed and acknowledged alerts and audit entries older than their retention are removed, and stay removed when the configuration log
 * is read again; an alert still open never is. A fleet's
 * data is exported whole and removed on request, its open alerts and audit trail kept.
 */
class SafetyRetentionTest {

    static final JsonMapper JSON = JsonMapper.builder().build();

    static MongoStandIn mongo;
    static RunningService safety;

    @BeforeAll
    static void start() {
        mongo = MongoStandIn.start(Ports.free());
        safety = RunningSafety.start(SharedBrokers.kafka().bootstrapServers(), mongo.uri("tiltfleet"), "--tiltfleet.safety.retention.every=1s",
                "--tiltfleet.safety.retention.alerts=365d", "--tiltfleet.safety.retention.audit=365d");
    }

    @AfterAll
    static void stop() {
        safety.close();
        mongo.close();
    }

    static Alert alert(String id, Instant raised, boolean closed) {
        AlertSignal raise = new AlertSignal("clinic-keep", id, AlertType.OVER_ANGLE, AlertChange.RAISED, Severity.CRITICAL, "too steep", null, raised);
        Alert alert = Alert.raise(id, raise);
        return closed ? alert.apply(new AlertSignal("clinic-keep", id, AlertType.OVER_ANGLE, AlertChange.CLEARED, Severity.CRITICAL, "back",
                null, raised.plusSeconds(60))).acknowledge("olivia", raised.plusSeconds(120)) : alert;
    }

    @Test
    void onlyClosedAlertsAndAuditEntriesOlderThanTheirRetentionAreRemoved() {
        ReactiveMongoTemplate store = safety.bean(ReactiveMongoTemplate.class);
        Instant twoYearsAgo = Instant.now().minus(730, ChronoUnit.DAYS);
        Instant lastMonth = Instant.now().minus(30, ChronoUnit.DAYS);
        store.insertAll(List.of(alert("old-closed", twoYearsAgo, true), alert("old-open", twoYearsAgo, false),
                alert("recent-closed", lastMonth, true))).collectList().block();
        store.insertAll(List.of(new AuditEntry("e-old", "clinic-keep", twoYearsAgo, "olivia", "settings", null, null, Map.of(), null),
                new AuditEntry("e-recent", "clinic-keep", lastMonth, "olivia", "settings", null, null, Map.of(), null))).collectList().block();

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            // this test's fleet's only: the configuration log's changes of other tests are recorded in the audit here too
            Query ofThisFleet = Query.query(Criteria.where("fleetId").is("clinic-keep"));
            assertThat(store.find(ofThisFleet, Alert.class).map(Alert::id).collectList().block())
                    .containsExactlyInAnyOrder("old-open", "recent-closed");
            assertThat(store.find(ofThisFleet, AuditEntry.class).map(AuditEntry::id).collectList().block()).containsExactly("e-recent");
        });
    }

    /**
     * The configuration log is read again from its start at every start: what it holds must not bring purged entries back. An
     * instance started after the change, purging once an hour, would keep a re-inserted entry until then.
     */
    @Test
    void anInstanceStartingAppliesAChangeOlderThanTheAuditRetentionWithoutPuttingItsEntryBack() throws Exception {
        String fleet = "clinic-relog";
        try (KafkaProducer<String, String> log = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                SharedBrokers.kafka().bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer());
             MongoStandIn ownMongo = MongoStandIn.start(Ports.free())) {
            log.send(new ProducerRecord<>(Topics.FLEET_CONFIG, fleet, settingsChange("c-two-years", fleet, 40,
                    Instant.now().minus(730, ChronoUnit.DAYS)))).get();
            RunningService starting = RunningSafety.start(SharedBrokers.kafka().bootstrapServers(), ownMongo.uri("tiltfleet"),
                    "--tiltfleet.safety.retention.every=1h", "--tiltfleet.safety.retention.audit=365d");
            try {
                await().atMost(Duration.ofSeconds(15)).until(() -> effectiveSettings(starting, fleet).contains("\"maxAngleDeg\":40.0"));
                log.send(new ProducerRecord<>(Topics.FLEET_CONFIG, fleet, settingsChange("c-last-month", fleet, 45,
                        Instant.now().minus(30, ChronoUnit.DAYS)))).get();
                await().atMost(Duration.ofSeconds(15)).until(() -> effectiveSettings(starting, fleet).contains("\"maxAngleDeg\":45.0"));
                assertThat(starting.bean(ReactiveMongoTemplate.class).find(Query.query(Criteria.where("fleetId").is(fleet)), AuditEntry.class)
                        .map(AuditEntry::id).collectList().block()).containsExactly("c-last-month");
            } finally {
                starting.close();
            }
        }
    }

    private static String settingsChange(String id, String fleet, int maxAngleDeg, Instant at) {
        return "{\"id\":\"" + id + "\",\"kind\":\"SETTINGS\",\"fleetId\":\"" + fleet + "\",\"settings\":{\"maxAngleDeg\":" + maxAngleDeg
                + "},\"by\":\"olivia\",\"at\":\"" + at + "\"}";
    }

    private static String effectiveSettings(RunningService instance, String fleet) throws Exception {
        return RunningSafety.send(instance, "GET", "/api/fleets/" + fleet + "/settings", null, Map.of()).body();
    }

    @Test
    void aFleetsDataIsExportedWholeAndRemovedOnRequestButItsOpenAlertsLiveStatesAndAuditTrailAreKept() throws Exception {
        ReactiveMongoTemplate store = safety.bean(ReactiveMongoTemplate.class);
        Instant lastWeek = Instant.now().minus(7, ChronoUnit.DAYS);
        // the former profiles below are not moved into the log: that is done once, when the instance first reads it to its end
        safety.bean(FleetConfigLog.class).awaitCaughtUp();
        for (String fleetId : List.of("clinic-gone", "clinic-gone-2")) {
            AlertSignal raise = new AlertSignal(fleetId, "t-1", AlertType.OVER_ANGLE, AlertChange.RAISED, Severity.CRITICAL, "too steep", null, lastWeek);
            store.insert(Alert.raise(fleetId + "-open", raise)).block();
            store.insert(Alert.raise(fleetId + "-closed", raise).apply(new AlertSignal(fleetId, "t-1", AlertType.OVER_ANGLE, AlertChange.CLEARED,
                    Severity.CRITICAL, "back", null, lastWeek.plusSeconds(60))).acknowledge("olivia", lastWeek.plusSeconds(120))).block();
            store.insert(new Document("_id", fleetId + "/t-1").append("fleetId", fleetId).append("angleDeg", 30.0), "table_state").block();
            store.insert(new Document("fleetId", fleetId).append("tableId", "t-1"), "safety_profiles").block();
            store.insert(new AuditEntry(fleetId + "-e-1", fleetId, lastWeek, "olivia", "settings", null, null, Map.of(), null)).block();
            RunningSafety.putSettings(safety, fleetId, "{\"maxAngleDeg\":50}");
        }
        Map<String, String> operator = Map.of("X-TiltFleet-Fleets", "clinic-gone", "X-TiltFleet-Caller", "olivia");

        HttpResponse<String> export = RunningSafety.send(safety, "GET", "/api/fleets/clinic-gone/data", null, operator);
        assertThat(export.statusCode()).isEqualTo(200);
        // the configuration first, as the logs hold it; the settings' change and the export itself are on the trail
        assertThat(export.body().lines().map(line -> JSON.readTree(line).path("collection").asString())).containsExactly(
                "fleet.config.v1+table.registry.v1", "alert", "alert", "table_state", "safety_profiles", "audit", "audit", "audit");
        JsonNode settings = JSON.readTree(export.body().lines().findFirst().orElseThrow()).path("document");
        assertThat(settings.path("kind").asString() + " " + settings.path("key").asString()).isEqualTo("SETTINGS clinic-gone");
        assertThat(export.body()).contains("\"value\": {\"maxAngleDeg\": 50.0");
        assertThat(export.body()).doesNotContain("clinic-gone-2");

        HttpResponse<String> removal = RunningSafety.send(safety, "DELETE", "/api/fleets/clinic-gone/data", null, operator);
        assertThat(removal.statusCode()).as(removal.body()).isEqualTo(200);
        assertThat(JSON.readTree(removal.body()).path("removed").properties().stream().map(field -> field.getKey() + "=" + field.getValue().asLong()))
                .containsExactly("alert=1", "safety_profiles=1");

        Query ofTheFleet = Query.query(Criteria.where("fleetId").is("clinic-gone"));
        assertThat(store.find(ofTheFleet, Alert.class).map(Alert::id).collectList().block()).containsExactly("clinic-gone-open");
        assertThat(store.count(ofTheFleet, "table_state").block()).as("the rules' memory of the table").isEqualTo(1);
        HttpResponse<String> trail = RunningSafety.send(safety, "GET", "/api/fleets/clinic-gone/audit?what=fleet-data", null, operator);
        assertThat(JSON.readTree(trail.body()).valueStream().map(entry -> entry.path("by").asString() + " " + entry.path("reason").asString()))
                .containsExactlyInAnyOrder("olivia the fleet's data exported", "olivia the fleet's data asked to be removed", "olivia the fleet's data removed");
        assertThat(trail.body()).contains("\"removed\":{\"alert\":1");
        assertThat(RunningSafety.send(safety, "DELETE", "/api/fleets/clinic-gone-2/data", null, operator).statusCode()).isEqualTo(403);
        assertThat(store.count(Query.query(Criteria.where("fleetId").is("clinic-gone-2")), "table_state").block()).isEqualTo(1);
        assertThat(RunningSafety.send(safety, "DELETE", "/api/fleets/clinic-gone/data", null, Map.of("X-TiltFleet-Fleets", "clinic-gone"))
                .statusCode()).as("a removal that names nobody").isEqualTo(401);
    }

    @Test
    void anExportHoldsAChangeKafkaAcceptedBeforeItThoughThisInstanceHasNotReadItYet() throws Exception {
        String fleet = "clinic-behind";
        safety.bean(FleetConfigLog.class).awaitCaughtUp();
        MessageListenerContainer configReader = safety.bean(KafkaListenerEndpointRegistry.class).getListenerContainer("fleet-config");
        configReader.pause();
        try (KafkaProducer<String, String> otherInstance = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                SharedBrokers.kafka().bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
            await().atMost(Duration.ofSeconds(15)).until(configReader::isPauseRequested);
            await().atMost(Duration.ofSeconds(15)).until(configReader::isContainerPaused);
            otherInstance.send(new ProducerRecord<>(Topics.FLEET_CONFIG, fleet, settingsChange("c-just-now", fleet, 35, Instant.now()))).get();
            CompletableFuture<HttpResponse<String>> export = CompletableFuture.supplyAsync(() -> exportOf(fleet));
            // the export waits for this instance to read the change: still not done a second later
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> !export.isDone());
            configReader.resume();
            HttpResponse<String> exported = export.get(20, TimeUnit.SECONDS);
            assertThat(exported.statusCode()).isEqualTo(200);
            assertThat(exported.body()).contains("\"value\": {\"maxAngleDeg\": 35.0");
        } finally {
            configReader.resume();
        }
    }

    private static HttpResponse<String> exportOf(String fleet) {
        try {
            return RunningSafety.send(safety, "GET", "/api/fleets/" + fleet + "/data", null, Map.of("X-TiltFleet-Fleets", fleet, "X-TiltFleet-Caller", "olivia"));
        } catch (Exception failure) {
            throw new IllegalStateException(failure);
        }
    }
}
