package io.tiltfleet.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import io.tiltfleet.embedded.MongoStandIn;
import io.tiltfleet.embedded.Ports;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
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
