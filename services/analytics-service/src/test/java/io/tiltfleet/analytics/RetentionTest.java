package io.tiltfleet.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import io.tiltfleet.analytics.safety.AlertFact;
import io.tiltfleet.analytics.sessions.SessionDocument;
import io.tiltfleet.analytics.sessions.SessionSummary;
import io.tiltfleet.analytics.sessions.TraceDocument;
import io.tiltfleet.analytics.usage.Granularity;
import io.tiltfleet.analytics.usage.RollupDocument;
import io.tiltfleet.analytics.usage.Scope;
import io.tiltfleet.analytics.usage.Usage;
import io.tiltfleet.embedded.LoopbackHttp;
import io.tiltfleet.embedded.MongoStandIn;
import io.tiltfleet.embedded.Ports;
import io.tiltfleet.embedded.RunningService;
import io.tiltfleet.embedded.SharedBrokers;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Each kind of data older than its retention is removed by the purge on the MongoDB stand-in; younger data and kinds kept for ever
 * stay. A fleet's data is exported whole and removed on request.
 */
class RetentionTest {

    static final JsonMapper JSON = JsonMapper.builder().build();

    static MongoStandIn mongo;
    static RunningService analytics;

    @BeforeAll
    static void start() {
        mongo = MongoStandIn.start(Ports.free());
        // a fleet with a session before the start, for the start's look at every fleet's zone to be seen done (below)
        try (MongoClient client = MongoClients.create(mongo.uri("tiltfleet"))) {
            Mono.from(client.getDatabase("tiltfleet").getCollection("sessions")
                    .insertOne(new Document("_id", "clinic-check/t-1/s-1/0").append("fleetId", "clinic-check"))).block();
        }
        analytics = RunningAnalytics.start(SharedBrokers.kafka().bootstrapServers(), mongo.uri("tiltfleet"), "analytics-retention",
                "--tiltfleet.analytics.retention.every=1s", "--tiltfleet.analytics.retention.sessions=30d",
                "--tiltfleet.analytics.retention.traces=7d", "--tiltfleet.analytics.retention.alert-facts=30d");
    }

    @AfterAll
    static void stop() {
        analytics.close();
        mongo.close();
    }

    static SessionDocument session(String id, Instant start) {
        return new SessionDocument(id, "clinic-r", "t-1", "s-" + id, start, start.plusSeconds(60), 60, 60, 30, 30, Map.of(), 0, 60,
                SessionSummary.EndReason.RETURNED_UPRIGHT, List.of());
    }

    @Test
    void dataOlderThanItsKindsRetentionIsRemovedAndTheRestKept() {
        ReactiveMongoTemplate store = analytics.bean(ReactiveMongoTemplate.class);
        Instant now = Instant.now();
        Instant fortyDaysAgo = now.minus(40, ChronoUnit.DAYS);
        Instant tenDaysAgo = now.minus(10, ChronoUnit.DAYS);
        store.insertAll(List.of(session("old", fortyDaysAgo), session("recent", tenDaysAgo))).collectList().block();
        store.insertAll(List.of(new TraceDocument("old", "clinic-r", "t-1", fortyDaysAgo, fortyDaysAgo, List.of()),
                new TraceDocument("recent", "clinic-r", "t-1", tenDaysAgo, tenDaysAgo, List.of()))).collectList().block();
        store.insert(RollupDocument.of(Scope.TABLE, "clinic-r", "t-1", Granularity.DAY, "UTC", fortyDaysAgo, Usage.NONE)).block();
        store.insertAll(List.of(new AlertFact("a-old", "clinic-r", "t-1", "OVER_ANGLE", "CRITICAL", fortyDaysAgo, null, null, null, null),
                new AlertFact("a-recent", "clinic-r", "t-1", "OVER_ANGLE", "CRITICAL", tenDaysAgo, null, null, null, null))).collectList().block();

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            assertThat(ids(store, SessionDocument.class, SessionDocument::id)).containsExactly("recent");
            assertThat(ids(store, TraceDocument.class, TraceDocument::sessionId)).isEmpty();                  // kept 7 days only
            assertThat(ids(store, AlertFact.class, AlertFact::alertId)).containsExactly("a-recent");
        });
        assertThat(ids(store, RollupDocument.class, RollupDocument::id)).hasSize(1);                     // rollups: no retention set, kept for ever
        assertThat(purged("sessions")).isGreaterThanOrEqualTo(1);
        assertThat(purged("traces")).isGreaterThanOrEqualTo(2);
        assertThat(purged("rollups")).isZero();
    }

    /** Every kind of document of one fleet, a fleet whose id begins with the same letters having one of each too. */
    static void storeFleet(ReactiveMongoTemplate store, String fleetId, Instant at) {
        store.insert(new SessionDocument(fleetId + "/t-1/s-1/0", fleetId, "t-1", "s-1", at, at.plusSeconds(60), 60, 60, 30, 30, Map.of(), 0, 60,
                SessionSummary.EndReason.RETURNED_UPRIGHT, List.of())).block();
        store.insert(new TraceDocument(fleetId + "/t-1/s-1/0", fleetId, "t-1", at, at, List.of())).block();
        store.insert(RollupDocument.of(Scope.TABLE, fleetId, "t-1", Granularity.DAY, "UTC", at, Usage.NONE)).block();
        store.insert(new AlertFact(fleetId + "-a-1", fleetId, "t-1", "OVER_ANGLE", "CRITICAL", at, null, null, null, null)).block();
        store.insert(new Document("_id", fleetId + "/t-1").append("lastSeq", 7L), "table_progress").block();
        store.insert(new Document("_id", fleetId).append("zone", "UTC"), "rollup_rebuilds").block();
    }

    @Test
    void aFleetsDataIsExportedWholeAndRemovedOnRequestWithTheRemovalOnTheTrail() throws Exception {
        ReactiveMongoTemplate store = analytics.bean(ReactiveMongoTemplate.class);
        // the start's look at every fleet's zone is over: it writes no rebuild of these fleets in the middle of the test
        await().atMost(Duration.ofSeconds(30)).until(() -> store.findById("clinic-check", Document.class, "rollup_rebuilds").block() != null);
        Instant at = Instant.now().minus(1, ChronoUnit.DAYS);
        storeFleet(store, "clinic-gone", at);
        storeFleet(store, "clinic-gone-2", at);

        HttpResponse<String> export = RunningAnalytics.request(analytics, "/api/analytics/fleets/clinic-gone/data");
        assertThat(export.statusCode()).isEqualTo(200);
        assertThat(export.headers().firstValue("Content-Disposition")).hasValue("attachment; filename=\"tiltfleet_clinic-gone_analytics_data.ndjson\"");
        assertThat(export.body().lines().map(line -> JSON.readTree(line).path("collection").asString()))
                .containsExactly("sessions", "session_traces", "usage_rollups", "alert_facts", "table_progress", "rollup_rebuilds");
        assertThat(export.body()).doesNotContain("clinic-gone-2");

        HttpResponse<String> removal = LoopbackHttp.send(analytics.port(), "DELETE", "/api/analytics/fleets/clinic-gone/data", null,
                Map.of("X-TiltFleet-Fleets", "clinic-gone", "X-TiltFleet-Caller", "olivia"));
        assertThat(removal.statusCode()).as(removal.body()).isEqualTo(200);
        assertThat(JSON.readTree(removal.body()).path("removed").properties().stream().map(field -> field.getKey() + "=" + field.getValue().asLong()))
                .containsExactly("sessions=1", "session_traces=1", "usage_rollups=1", "alert_facts=1", "table_progress=1", "rollup_rebuilds=1");

        assertThat(RunningAnalytics.request(analytics, "/api/analytics/fleets/clinic-gone/data").body()).isEmpty();
        assertThat(RunningAnalytics.request(analytics, "/api/analytics/fleets/clinic-gone-2/data").body().lines()).hasSize(6);
        List<Document> trail = store.find(Query.query(Criteria.where("fleetId").is("clinic-gone")), Document.class, "audit").collectList().block();
        assertThat(trail).extracting(entry -> entry.getString("what") + " " + entry.getString("by") + " " + entry.getString("reason"))
                .containsExactlyInAnyOrder("fleet-data analytics-test the fleet's data exported", "fleet-data olivia the fleet's data asked to be removed",
                        "fleet-data olivia the fleet's data removed", "fleet-data analytics-test the fleet's data exported");
        assertThat(trail).filteredOn(entry -> entry.get("after", Document.class).containsKey("removed")).singleElement()
                .satisfies(entry -> assertThat(entry.get("after", Document.class).get("removed", Document.class).getLong("sessions")).isEqualTo(1));

        HttpResponse<String> otherFleet = LoopbackHttp.send(analytics.port(), "DELETE", "/api/analytics/fleets/clinic-gone-2/data", null,
                Map.of("X-TiltFleet-Fleets", "clinic-gone", "X-TiltFleet-Caller", "olivia"));
        assertThat(otherFleet.statusCode()).isEqualTo(403);
        assertThat(RunningAnalytics.request(analytics, "/api/analytics/fleets/clinic-gone-2/data").body().lines()).hasSize(6);
    }

    static double purged(String kind) {
        return RunningAnalytics.get(analytics, "/actuator/prometheus").lines()
                .filter(line -> line.startsWith("tiltfleet_analytics_retention_purged_total") && line.contains("kind=\"" + kind + "\""))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    /** This test's fleet's only: other tests' readings on the shared broker become sessions here too. */
    static <T> List<String> ids(ReactiveMongoTemplate store, Class<T> type, Function<T, String> idOf) {
        return store.find(Query.query(Criteria.where("fleetId").is("clinic-r")), type).map(idOf).collectList().block();
    }
}
