package io.tiltfleet.analytics.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.reactivestreams.client.MongoClient;
import io.tiltfleet.embedded.MongoStandIn;
import io.tiltfleet.embedded.Ports;
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

/** The sessions an export reads, over the wire: mapped by hand as Spring Data maps them, selected as the session list selects them. */
class SessionStoreTest {

    private static final Instant T0 = Instant.parse("2026-11-20T08:00:00Z");
    private static final List<BsonDocument> FINDS = new CopyOnWriteArrayList<>();

    static MongoStandIn mongo;
    static MongoClient client;
    static ReactiveMongoTemplate template;
    static SessionStore store;

    @BeforeAll
    static void storeSessions() {
        mongo = MongoStandIn.start(Ports.free());
        client = mongo.clientKeepingFinds("tiltfleet", FINDS);
        template = new ReactiveMongoTemplate(client, "tiltfleet");
        store = new SessionStore(template);
        template.insertAll(List.of(
                session("export", "export/t-1/s-1/1", "t-1", 0, 300, 61.25, Map.of(AngleBand.BAND_20_40, 120.0, AngleBand.STEEP_75_90, 0.125),
                        SessionSummary.EndReason.RETURNED_UPRIGHT),
                session("export", "export/t-2/s-2/2", "t-2", 60, 45, 30, Map.of(), SessionSummary.EndReason.IDLE_TIMEOUT),
                // an id Spring Data stores as an ObjectId
                session("export", "65a1b2c3d4e5f60718293a4b", "t-1", 120, 900.5, 74.5, Map.of(AngleBand.HEAD_UP, 3.0, AngleBand.FLAT_0_20, 7.25,
                        AngleBand.BAND_40_60, 600.0, AngleBand.STEEP_60_75, 290.25), SessionSummary.EndReason.NEW_SESSION),
                session("export", "export/t-3/s-3/3", "t-3", 150, 20, 12, Map.of(AngleBand.FLAT_0_20, 20.0), null),
                session("other", "other/t-1/s-4/4", "t-1", 180, 30, 25, Map.of(AngleBand.BAND_20_40, 30.0),
                        SessionSummary.EndReason.RETURNED_UPRIGHT))).blockLast();
    }

    @AfterAll
    static void stop() {
        client.close();
        mongo.close();
    }

    @Test
    void anExportReadsEachSessionAsSpringDataDoesWithoutItsSlices() {
        List<SessionDocument> mapped = template.findAll(SessionDocument.class).filter(session -> session.fleetId().equals("export"))
                .map(SessionStoreTest::withoutSlices).sort(Comparator.comparing(SessionDocument::start)).collectList().block();
        FINDS.clear();

        List<SessionDocument> exported = store.forExport(filter(null, null, null, null), 2).collectList().block();

        assertThat(exported).hasSize(4).containsExactlyElementsOf(mapped);
        assertThat(FINDS).first().satisfies(find -> assertThat(find.getDocument("projection").toJson()).isEqualTo("{\"hours\": 0}"));
        assertThat(Mono.from(client.getDatabase("tiltfleet").getCollection(SessionDocument.COLLECTION)
                .find(new Document("tableId", "t-1").append("maxAngleDeg", 74.5)).first()).block().get("_id"))
                .as("the test's ObjectId case").isInstanceOf(ObjectId.class);
    }

    @Test
    void anExportSelectsWhatTheSessionListSelects() {
        Map<SessionFilter, List<String>> selected = Map.of(
                filter("t-1", null, null, null), List.of("export/t-1/s-1/1", "65a1b2c3d4e5f60718293a4b"),
                filter(null, 300.0, null, null), List.of("export/t-1/s-1/1", "65a1b2c3d4e5f60718293a4b"),
                filter(null, null, 60.0, null), List.of("export/t-1/s-1/1", "65a1b2c3d4e5f60718293a4b"),
                filter(null, null, null, SessionSummary.EndReason.IDLE_TIMEOUT), List.of("export/t-2/s-2/2"),
                new SessionFilter("export", null, T0.plusSeconds(60), T0.plusSeconds(150), null, null, null),
                List.of("export/t-2/s-2/2", "65a1b2c3d4e5f60718293a4b"));
        selected.forEach((filter, expected) -> {
            List<String> listedOldestFirst = new ArrayList<>(store.page(filter, 0, 100).map(SessionDocument::id).collectList().block());
            Collections.reverse(listedOldestFirst);
            assertThat(ids(filter)).as(filter.toString()).containsExactlyElementsOf(expected).containsExactlyElementsOf(listedOldestFirst);
        });
    }

    private static List<String> ids(SessionFilter filter) {
        return store.forExport(filter, 1000).map(SessionDocument::id).collectList().block();
    }

    private static SessionFilter filter(String tableId, Double minDurationS, Double minMaxAngleDeg, SessionSummary.EndReason endedBy) {
        return new SessionFilter("export", tableId, T0, T0.plusSeconds(3600), minDurationS, minMaxAngleDeg, endedBy);
    }

    private static SessionDocument withoutSlices(SessionDocument session) {
        return new SessionDocument(session.id(), session.fleetId(), session.tableId(), session.sessionId(), session.start(), session.end(),
                session.durationS(), session.invertedS(), session.maxAngleDeg(), session.meanAngleDeg(), session.secondsPerBand(),
                session.steepExcursions(), session.readings(), session.endedBy(), null);
    }

    private static SessionDocument session(String fleetId, String id, String tableId, int startS, double seconds, double maxAngleDeg,
                                           Map<AngleBand, Double> bands, SessionSummary.EndReason endedBy) {
        Instant start = T0.plusSeconds(startS);
        Instant end = start.plusMillis((long) (seconds * 1000));
        double angleSeconds = bands.values().stream().mapToDouble(Double::doubleValue).sum() * 37.5;
        return SessionDocument.of(new SessionSummary(id, fleetId, tableId, "s-" + startS, start, end, maxAngleDeg, bands, angleSeconds, 2, 17,
                endedBy, List.of(new QuarterSlice(start, true, bands, angleSeconds, maxAngleDeg)), List.of()));
    }
}
