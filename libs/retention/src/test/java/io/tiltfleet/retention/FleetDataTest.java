package io.tiltfleet.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import io.tiltfleet.embedded.MongoStandIn;
import io.tiltfleet.embedded.Ports;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** A fleet's data exported with what its service holds outside MongoDB, over the MongoDB wire protocol (the stand-in). */
class FleetDataTest {

    static MongoStandIn mongo;
    static MongoClient client;
    static ReactiveMongoTemplate store;

    @BeforeAll
    static void start() {
        mongo = MongoStandIn.start(Ports.free());
        client = MongoClients.create(mongo.uri("tiltfleet"));
        store = new ReactiveMongoTemplate(client, "tiltfleet");
        store.insert(List.of(new Document("_id", "s-1").append("fleetId", "clinic-a"), new Document("_id", "s-2").append("fleetId", "clinic-b")),
                "sessions").collectList().block();
    }

    @AfterAll
    static void stop() {
        client.close();
        mongo.close();
    }

    @Test
    void whatTheServiceHoldsElsewhereComesFirstThenItsCollectionsAndTheExportIsOnTheTrail() {
        FleetData data = fleetData().alsoExporting("configuration", fleetId -> Flux.just(new Document("key", fleetId)));

        List<String> lines = text(data.exportFile("clinic-a", "olivia").getBody());

        assertThat(lines).containsExactly("{\"collection\": \"configuration\", \"document\": {\"key\": \"clinic-a\"}}",
                "{\"collection\": \"sessions\", \"document\": {\"_id\": \"s-1\", \"fleetId\": \"clinic-a\"}}");
        assertThat(trail("clinic-a")).isEqualTo(1);
    }

    @Test
    void anExportThatCannotReadWhatIsHeldElsewhereFailsBeforeItBeginsAndLeavesNoTrailEntry() {
        FleetData data = fleetData().alsoExporting("configuration",
                fleetId -> Flux.error(new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE, "the log cannot be read")));

        assertThatThrownBy(() -> text(data.exportFile("clinic-b", "olivia").getBody())).isInstanceOf(ResponseStatusException.class)
                .hasMessageContaining("the log cannot be read");
        assertThat(trail("clinic-b")).isZero();
    }

    @Test
    void aRemovalAskedAgainWhileTheFirstRunsWaitsForItInsteadOfStartingASecond() throws Exception {
        store.insert(List.of(new Document("_id", "s-3").append("fleetId", "clinic-c"), new Document("_id", "s-4").append("fleetId", "clinic-c")),
                "sessions").collectList().block();
        CountDownLatch firstPassRemoving = new CountDownLatch(1);
        CountDownLatch letItRemove = new CountDownLatch(1);
        FleetData data = new FleetData(store, Clock.systemUTC(), "test", List.of(FleetData.Part.byField("sessions", "fleetId")
                .removing(fleetId -> {
                    firstPassRemoving.countDown();
                    awaitQuietly(letItRemove);
                    return Query.query(Criteria.where("fleetId").is(fleetId));
                })));

        Mono<FleetData.Removal> first = data.removeFor("clinic-c", "olivia");
        assertThat(firstPassRemoving.await(10, TimeUnit.SECONDS)).isTrue();
        Mono<FleetData.Removal> again = data.removeFor("clinic-c", "olivia");
        letItRemove.countDown();

        assertThat(again.block(Duration.ofSeconds(10))).isEqualTo(first.block(Duration.ofSeconds(10)));
        assertThat(first.block().removed()).containsEntry("sessions", 2L);
        assertThat(store.find(Query.query(Criteria.where("fleetId").is("clinic-c").and("what").is(FleetData.AUDIT_WHAT)), Document.class, "audit")
                .map(entry -> entry.getString("reason")).collectList().block())
                .containsExactlyInAnyOrder("the fleet's data asked to be removed", "the fleet's data asked to be removed while a removal ran",
                        "the fleet's data removed");
        assertThat(data.removeFor("clinic-c", "olivia").block(Duration.ofSeconds(10)).removed()).as("asked again once done: a new pass")
                .containsEntry("sessions", 0L);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static FleetData fleetData() {
        return new FleetData(store, Clock.systemUTC(), "test", List.of(FleetData.Part.byField("sessions", "fleetId")));
    }

    private static List<String> text(Flux<DataBuffer> body) {
        return body.map(buffer -> buffer.toString(StandardCharsets.UTF_8).strip()).collectList().block();
    }

    private static long trail(String fleetId) {
        return store.count(Query.query(Criteria.where("fleetId").is(fleetId).and("what").is(FleetData.AUDIT_WHAT)), "audit").block();
    }
}
