package io.tiltfleet.analytics.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import io.tiltfleet.embedded.MongoStandIn;
import io.tiltfleet.embedded.Ports;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import reactor.core.publisher.Mono;

/** The sessions an export streams, over the wire: mapped by hand as Spring Data maps them, filtered as the rest of the API filters. */
class SessionStoreTest {

    private static final Instant T0 = Instant.parse("2026-11-20T08:00:00Z");

    static MongoStandIn mongo;
    static MongoClient client;
    static ReactiveMongoTemplate template;
    static SessionStore store;

    @BeforeAll
    static void storeSessions() {
        mongo = MongoStandIn.start(Ports.free());
        client = MongoClients.create(mongo.uri("tiltfleet"));
        template = new ReactiveMongoTemplate(client, "tiltfleet");
        store = new SessionStore(template);
        template.insertAll(List.of(
                session("export", "export/t-1/s-1/1", "t-1", 0, 300, Map.of(AngleBand.BAND_20_40, 120.0, AngleBand.STEEP_75_90, 0.125),
                        SessionSummary.EndReason.RETURNED_UPRIGHT),
                session("export", "export/t-2/s-2/2", "t-2", 60, 45, Map.of(), SessionSummary.EndReason.IDLE_TIMEOUT),
                // an id Spring Data stores as an ObjectId
                session("export", "65a1b2c3d4e5f60718293a4b", "t-1", 120, 900.5, Map.of(AngleBand.HEAD_UP, 3.0, AngleBand.FLAT_0_20, 7.25,
                        AngleBand.BAND_40_60, 600.0, AngleBand.STEEP_60_75, 290.25), SessionSummary.EndReason.NEW_SESSION),
                session("other", "other/t-1/s-4/4", "t-1", 180, 30, Map.of(AngleBand.BAND_20_40, 30.0),
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
                .map(SessionStoreTest::withoutSlices).collectList().block();

        List<SessionDocument> streamed = store.stream(filter(null, null, null), 2).collectList().block();

        assertThat(streamed).hasSize(3).containsExactlyElementsOf(mapped.stream()
                .sorted((a, b) -> a.start().compareTo(b.start())).toList());
        assertThat(streamed.get(2).id()).isEqualTo("65a1b2c3d4e5f60718293a4b");
        assertThat(Mono.from(client.getDatabase("tiltfleet").getCollection(SessionDocument.COLLECTION)
                .find(new Document("fleetId", "export").append("tableId", "t-1")).sort(new Document("start", -1)).first()).block().get("_id"))
                .as("the test's ObjectId case").isInstanceOf(org.bson.types.ObjectId.class);
    }

    @Test
    void anExportsFiltersSelectAsTheyDoOnTheStoredSessions() {
        assertThat(ids(filter("t-1", null, null))).containsExactly("export/t-1/s-1/1", "65a1b2c3d4e5f60718293a4b");
        assertThat(ids(filter(null, 300.0, null))).containsExactly("export/t-1/s-1/1", "65a1b2c3d4e5f60718293a4b");
        assertThat(ids(filter(null, null, SessionSummary.EndReason.IDLE_TIMEOUT))).containsExactly("export/t-2/s-2/2");
        assertThat(ids(new SessionFilter("export", null, T0.plusSeconds(60), T0.plusSeconds(120), null, null, null)))
                .containsExactly("export/t-2/s-2/2");
    }

    private static List<String> ids(SessionFilter filter) {
        return store.stream(filter, 1000).map(SessionDocument::id).collectList().block();
    }

    private static SessionFilter filter(String tableId, Double minDurationS, SessionSummary.EndReason endedBy) {
        return new SessionFilter("export", tableId, T0, T0.plusSeconds(3600), minDurationS, null, endedBy);
    }

    private static SessionDocument withoutSlices(SessionDocument session) {
        return new SessionDocument(session.id(), session.fleetId(), session.tableId(), session.sessionId(), session.start(), session.end(),
                session.durationS(), session.invertedS(), session.maxAngleDeg(), session.meanAngleDeg(), session.secondsPerBand(),
                session.steepExcursions(), session.readings(), session.endedBy(), null);
    }

    private static SessionDocument session(String fleetId, String id, String tableId, int startS, double seconds, Map<AngleBand, Double> bands,
                                           SessionSummary.EndReason endedBy) {
        Instant start = T0.plusSeconds(startS);
        Instant end = start.plusMillis((long) (seconds * 1000));
        double angleSeconds = bands.values().stream().mapToDouble(Double::doubleValue).sum() * 37.5;
        return SessionDocument.of(new SessionSummary(id, fleetId, tableId, "s-" + startS, start, end, 61.25, bands, angleSeconds, 2, 17,
                endedBy, List.of(new QuarterSlice(start, true, bands, angleSeconds, 61.25)), List.of()));
    }
}
