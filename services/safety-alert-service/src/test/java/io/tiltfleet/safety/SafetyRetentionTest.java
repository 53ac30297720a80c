package io.tiltfleet.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tiltfleet.contract.AlertChange;
import io.tiltfleet.embedded.MongoStandIn;
import io.tiltfleet.embedded.Ports;
import io.tiltfleet.embedded.RunningService;
import io.tiltfleet.embedded.SharedBrokers;
import io.tiltfleet.safety.alerts.Alert;
import io.tiltfleet.safety.audit.AuditEntry;
import io.tiltfleet.safety.rules.AlertSignal;
import io.tiltfleet.safety.rules.AlertType;
import io.tiltfleet.safety.rules.Severity;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;

/** Closed and acknowledged alerts and audit entries older than their retention are removed; an alert still open never is. */
class SafetyRetentionTest {

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
}
