package io.tiltfleet.safety;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiltfleet.embedded.MongoStandIn;
import io.tiltfleet.embedded.Ports;
import io.tiltfleet.embedded.SharedBrokers;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.context.ConfigurableApplicationContext;

/** Bad requests get a 4xx with an RFC 9457 problem body; profiles round-trip. */
class SafetyApiTest {

    static MongoStandIn mongo;
    static ConfigurableApplicationContext safety;

    @BeforeAll
    static void start() {
        mongo = MongoStandIn.start(Ports.free());
        safety = RunningServices.safety(SharedBrokers.kafka().bootstrapServers(), mongo.uri("tiltfleet"));
    }

    @AfterAll
    static void stop() {
        safety.close();
        mongo.close();
    }

    @ParameterizedTest(name = "{0} {1} -> {3}")
    @CsvSource(delimiter = '|', value = {
            // method | path | body | status | part of the problem body
            "GET  | /api/alerts?state=SLEEPING                              |                                   | 400 | state",
            "GET  | /api/alerts?fleetId=%7B%22$ne%22:null%7D                |                                   | 400 | fleetId",
            "GET  | /api/alerts?size=5000                                   |                                   | 400 | size",
            "GET  | /api/alerts?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z |                             | 400 | must be before",
            "GET  | /api/alerts?from=yesterday                              |                                   | 400 | from",
            "GET  | /api/alerts/no-such-alert                               |                                   | 404 | no alert no-such-alert",
            "POST | /api/alerts/no-such-alert/acknowledge                   | {\"by\":\"olivia\"}                | 404 | no alert",
            "POST | /api/alerts/any/acknowledge                             | {}                                | 400 | by",
            "POST | /api/alerts/any/acknowledge                             | {not json                         | 400 | ",
            "PUT  | /api/fleet/clinic-1/tables/t-1/profile                  | {\"maxAngleDeg\":120}              | 400 | maxAngleDeg",
            "PUT  | /api/fleet/clinic-1/tables/t-1/profile                  | {\"contraindications\":[\"FLU\"]}  | 400 | ",
            "GET  | /api/fleet/bad%20fleet/tables                           |                                   | 400 | fleetId"})
    void badRequestsGetAProblemBody(String method, String path, String body, int status, String detail) throws Exception {
        HttpResponse<String> response = send(method, path, body);

        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).contains("application/problem+json"));
        assertThat(response.body()).contains("\"status\":" + status).contains("\"title\"");
        if (detail != null) {
            assertThat(response.body()).contains(detail);
        }
    }

    @Test
    void profileIsStoredAndReadBack() throws Exception {
        HttpResponse<String> put = send("PUT", "/api/fleet/clinic-1/tables/t-9/profile",
                "{\"maxAngleDeg\":90,\"contraindications\":[\"GLAUCOMA\"]}");
        HttpResponse<String> get = send("GET", "/api/fleet/clinic-1/tables/t-9/profile", null);

        assertThat(put.statusCode()).isEqualTo(200);
        assertThat(get.body()).contains("\"maxAngleDeg\":90.0", "\"contraindications\":[\"GLAUCOMA\"]", "\"tableId\":\"t-9\"");
    }

    static HttpResponse<String> send(String method, String path, String body) throws Exception {
        return RunningServices.send(safety, method, path, body);
    }
}
