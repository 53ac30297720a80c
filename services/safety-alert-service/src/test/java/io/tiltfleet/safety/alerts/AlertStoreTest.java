package io.tiltfleet.safety.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.reactivestreams.client.MongoClient;
import io.tiltfleet.contract.TelemetryReading;
import io.tiltfleet.embedded.MongoStandIn;
import io.tiltfleet.embedded.Ports;
import io.tiltfleet.safety.rules.AlertType;
import io.tiltfleet.safety.rules.Severity;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bson.BsonDocument;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import reactor.core.publisher.Mono;

/** The alerts an export reads, over the wire: mapped by hand as Spring Data maps them, selected as the alert list selects them. */
class AlertStoreTest {

    private static final Instant T0 = Instant.parse("2026-11-20T08:00:00Z");
    private static final List<BsonDocument> FINDS = new CopyOnWriteArrayList<>();

    static MongoStandIn mongo;
    static MongoClient client;
    static ReactiveMongoTemplate template;
    static AlertStore store;

    @BeforeAll
    static void storeAlerts() {
        mongo = MongoStandIn.start(Ports.free());
        client = mongo.clientKeepingFinds("tiltfleet", FINDS);
        template = new ReactiveMongoTemplate(client, "tiltfleet");
        store = new AlertStore(template);
        TelemetryReading reading = new TelemetryReading("export", "t-1", 7, T0, "s-1", 71.5, 30, true);
        template.insertAll(List.of(
                new Alert("a-1", "export", "t-1", AlertType.OVER_ANGLE, Severity.CRITICAL, AlertState.CLEARED_ACKNOWLEDGED, "above 70 degrees",
                        T0, T0.plusSeconds(120), T0.plusMillis(60_250), "olivia", T0.plusSeconds(120), List.of(reading), "Berlin, Room 3"),
                new Alert("a-2", "export", "t-2", AlertType.SILENT_WHILE_INVERTED, Severity.WARNING, AlertState.ACTIVE_UNACKNOWLEDGED,
                        "=silent", T0.plusSeconds(60), T0.plusSeconds(60), null, null, null, List.of(), null),
                // an id Spring Data stores as an ObjectId
                new Alert("65a1b2c3d4e5f60718293a4b", "export", "t-1", AlertType.OVER_DURATION, Severity.WARNING,
                        AlertState.CLEARED_UNACKNOWLEDGED, "over 10 minutes", T0.plusSeconds(120), T0.plusSeconds(700), T0.plusSeconds(700),
                        null, null, List.of(reading, reading), "Berlin, Room 4"),
                new Alert("a-4", "other", "t-1", AlertType.OVER_ANGLE, Severity.CRITICAL, AlertState.ACTIVE_UNACKNOWLEDGED, "above 70 degrees",
                        T0.plusSeconds(180), T0.plusSeconds(180), null, null, null, List.of(reading), null))).blockLast();
    }

    @AfterAll
    static void stop() {
        client.close();
        mongo.close();
    }

    @Test
    void anExportReadsEachAlertAsSpringDataDoesWithoutItsReadings() {
        List<Alert> mapped = template.findAll(Alert.class).filter(alert -> alert.fleetId().equals("export"))
                .map(AlertStoreTest::withoutReadings).sort(Comparator.comparing(Alert::raisedAt)).collectList().block();
        FINDS.clear();

        List<Alert> exported = store.forExport(query(null, null, null, T0, T0.plusSeconds(3600)), 2).collectList().block();

        assertThat(exported).hasSize(3).containsExactlyElementsOf(mapped);
        assertThat(FINDS).first().satisfies(find -> assertThat(find.getDocument("projection").toJson()).isEqualTo("{\"readings\": 0}"));
        assertThat(Mono.from(client.getDatabase("tiltfleet").getCollection("alert").find(new Document("type", "OVER_DURATION")).first())
                .block().get("_id")).as("the test's ObjectId case").isInstanceOf(ObjectId.class);
    }

    @Test
    void anExportSelectsWhatTheAlertListSelects() {
        Map<AlertQuery, List<String>> selected = Map.of(
                query("t-1", null, null, T0, T0.plusSeconds(3600)), List.of("a-1", "65a1b2c3d4e5f60718293a4b"),
                query(null, AlertType.SILENT_WHILE_INVERTED, null, T0, T0.plusSeconds(3600)), List.of("a-2"),
                query(null, null, Severity.WARNING, T0, T0.plusSeconds(3600)), List.of("a-2", "65a1b2c3d4e5f60718293a4b"),
                query(null, null, null, T0.plusSeconds(60), T0.plusSeconds(3600)), List.of("a-2", "65a1b2c3d4e5f60718293a4b"),
                query(null, null, null, T0, T0.plusSeconds(120)), List.of("a-1", "a-2"));
        selected.forEach((query, expected) -> {
            AlertQuery page = new AlertQuery(query.fleetId(), query.tableId(), query.state(), query.type(), query.severity(), query.from(),
                    query.to(), 0, 100);
            List<String> listedOldestFirst = new ArrayList<>(store.search(page).map(Alert::id).collectList().block());
            Collections.reverse(listedOldestFirst);
            assertThat(ids(query)).as(query.toString()).containsExactlyElementsOf(expected).containsExactlyElementsOf(listedOldestFirst);
        });
    }

    private static List<String> ids(AlertQuery query) {
        return store.forExport(query, 1000).map(Alert::id).collectList().block();
    }

    private static AlertQuery query(String tableId, AlertType type, Severity severity, Instant from, Instant to) {
        return new AlertQuery("export", tableId, null, type, severity, from, to, 0, 0);
    }

    private static Alert withoutReadings(Alert alert) {
        return new Alert(alert.id(), alert.fleetId(), alert.tableId(), alert.type(), alert.severity(), alert.state(), alert.reason(),
                alert.raisedAt(), alert.updatedAt(), alert.clearedAt(), alert.acknowledgedBy(), alert.acknowledgedAt(), List.of(),
                alert.location());
    }
}
