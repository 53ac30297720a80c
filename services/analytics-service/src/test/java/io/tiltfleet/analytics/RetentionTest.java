package io.tiltfleet.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tiltfleet.analytics.safety.AlertFact;
import io.tiltfleet.analytics.sessions.SessionDocument;
import io.tiltfleet.analytics.sessions.SessionSummary;
import io.tiltfleet.analytics.sessions.TraceDocument;
import io.tiltfleet.analytics.usage.Granularity;
import io.tiltfleet.analytics.usage.RollupDocument;
import io.tiltfleet.analytics.usage.Scope;
import io.tiltfleet.analytics.usage.Usage;
import io.tiltfleet.embedded.MongoStandIn;
import io.tiltfleet.embedded.Ports;
import io.tiltfleet.embedded.RunningService;
import io.tiltfleet.embedded.SharedBrokers;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;

/** Each kind of data older than its retention is removed by the purge on the MongoDB stand-in; younger data and kinds kept for ever stay. */
class RetentionTest {

    static MongoStandIn mongo;
    static RunningService analytics;

    @BeforeAll
    static void start() {
        mongo = MongoStandIn.start(Ports.free());
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
        store.insertAll(List.of(new AlertFact("a-old", "clinic-r", "t-1", "OVER_ANGLE", "CRITICAL", fortyDaysAgo, null, null, null),
                new AlertFact("a-recent", "clinic-r", "t-1", "OVER_ANGLE", "CRITICAL", tenDaysAgo, null, null, null))).collectList().block();

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
