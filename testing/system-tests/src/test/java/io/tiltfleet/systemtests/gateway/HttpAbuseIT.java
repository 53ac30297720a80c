package io.tiltfleet.systemtests.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tiltfleet.contract.TelemetryReading;
import io.tiltfleet.embedded.LoopbackHttp;
import io.tiltfleet.simulator.TablePublisher;
import io.tiltfleet.systemtests.LocalStack;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Abuse of the HTTP API through the gateway, against the whole platform (real services, Kafka,
 * Mosquitto, the MongoDB stand-in) holding alerts and sessions of two fleets: missing and forged
 * credentials, role escalation, another fleet's data by every way in, oversized and malformed bodies,
 * MongoDB operator injection and path traversal. Each gets a clean 4xx (never a 5xx), and nothing of
 * the other fleet comes back; the platform serves on afterwards. Prints one line per case.
 */
class HttpAbuseIT {

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** carl's key sees fleet-1 only (gateway-local.yml); sam's sees every fleet. */
    static final String CARL = "tf-clinic1-local";
    static final String SAM = "tf-supervisor-local";
    static final String VIEWER = "tf-viewer-local";
    static final String OPERATOR = "tf-operator-local";
    static final Pattern ALERT_ID = Pattern.compile("\"id\":\"([^\"]+)\"");

    static LocalStack stack;
    static String fleet2Alert;
    static String fleet1Alert;
    static final Map<String, Integer> outcomes = new LinkedHashMap<>();

    @BeforeAll
    static void twoFleetsWithAnAlertAndASessionEach() throws Exception {
        stack = LocalStack.start();
        for (String fleet : List.of("fleet-1", "fleet-2")) {
            try (TablePublisher table = TablePublisher.connect(stack.mqtt.uri(), fleet, "secret-table-of-" + fleet)) {
                Instant start = Instant.now().minusSeconds(30);
                for (int second = 0; second < 10; second++) {
                    table.publish(new TelemetryReading(fleet, table.tableId(), second + 1, start.plusSeconds(second), "s-1", 80, second, true)).join();
                }
                table.publish(new TelemetryReading(fleet, table.tableId(), 11, start.plusSeconds(10), "s-1", 0, 10, false)).join();
            }
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> alertIdOf("fleet-1") != null && alertIdOf("fleet-2") != null
                && get(SAM, "/api/analytics/fleets/fleet-2/sessions").body().contains("secret-table-of-fleet-2"));
        fleet1Alert = alertIdOf("fleet-1");
        fleet2Alert = alertIdOf("fleet-2");
    }

    @AfterAll
    static void stop() throws Exception {
        outcomes.forEach((name, status) -> System.out.printf("ABUSE %-72s -> %d%n", name, status));
        stack.close();
    }

    @Test
    void missingForgedAndUnderprivilegedCredentialsAreRefused() throws Exception {
        expect("no credential", 401, send("GET", "/api/fleet/fleet-1/tables", Map.of(), null));
        expect("unknown API key", 401, get("tf-made-up-key", "/api/fleet/fleet-1/tables"));
        expect("bearer token of no configured issuer", 401, send("GET", "/api/fleet/fleet-1/tables",
                Map.of("Authorization", "Bearer eyJhbGciOiJub25lIn0.eyJyb2xlcyI6WyJhbmFseXN0Il0sImZsZWV0cyI6WyIqIl19."), null));
        expect("viewer acknowledges an alert", 403, send("POST", "/api/alerts/" + fleet1Alert + "/acknowledge", key(VIEWER), "{\"by\":\"vera\"}"));
        expect("viewer edits a safety profile", 403, send("PUT", "/api/fleet/fleet-1/tables/t-1/profile", key(VIEWER), "{\"maxAngleDeg\":90}"));
        expect("operator exports sessions", 403, get(OPERATOR, "/api/analytics/fleets/fleet-1/exports/sessions"));
        expect("operator deletes an alert", 403, send("DELETE", "/api/alerts/" + fleet1Alert, key(OPERATOR), null));
        expect("viewer reads the environment endpoint", 403, get(VIEWER, "/actuator/env"));
    }

    @Test
    void aCredentialOfOneFleetGetsNothingOfAnother() throws Exception {
        Map<String, String> carlClaimingAll = Map.of("X-API-Key", CARL, "X-TiltFleet-Fleets", "*", "X-TiltFleet-Caller", "sam");
        List<HttpResponse<String>> refused = new ArrayList<>();
        refused.add(expect("fleet-1 key: fleet-2 tables", 403, get(CARL, "/api/fleet/fleet-2/tables")));
        refused.add(expect("fleet-1 key: fleet-2 stream", 403, get(CARL, "/api/fleet/fleet-2/stream")));
        refused.add(expect("fleet-1 key: fleet-2 alerts", 403, get(CARL, "/api/alerts?fleetId=fleet-2")));
        refused.add(expect("fleet-1 key: all alerts", 403, get(CARL, "/api/alerts")));
        refused.add(expect("fleet-1 key: alerts with fleetId[$ne]", 403, get(CARL, "/api/alerts?" + encode("fleetId[$ne]") + "=fleet-1")));
        refused.add(expect("fleet-1 key: fleet-2 alert by id", 404, get(CARL, "/api/alerts/" + fleet2Alert)));
        refused.add(expect("fleet-1 key: acknowledges fleet-2 alert", 404,
                send("POST", "/api/alerts/" + fleet2Alert + "/acknowledge", key(CARL), "{\"by\":\"carl\"}")));
        refused.add(expect("fleet-1 key: fleet-2 sessions", 403, get(CARL, "/api/analytics/fleets/fleet-2/sessions")));
        refused.add(expect("fleet-1 key: fleet-2 usage", 403, get(CARL, "/api/analytics/fleets/fleet-2/usage?granularity=DAY")));
        refused.add(expect("fleet-1 key: fleet-2 export", 403, get(CARL, "/api/analytics/fleets/fleet-2/exports/sessions")));
        refused.add(expect("fleet-1 key: fleet-2 profile", 403, get(CARL, "/api/fleet/fleet-2/tables/t-1/profile")));
        refused.add(expect("fleet-1 key claiming every fleet in the gateway's headers", 403,
                send("GET", "/api/fleet/fleet-2/tables", carlClaimingAll, null)));
        refused.add(expect("fleet-1 key: dot segments into fleet-2", 400, get(CARL, "/api/fleet/fleet-1/../fleet-2/tables")));
        refused.add(expect("fleet-1 key: encoded dot segments into fleet-2", 400, get(CARL, "/api/fleet/fleet-1/..%2Ffleet-2/tables")));
        assertThat(refused).allSatisfy(response -> assertThat(response.body()).doesNotContain("secret-table-of-fleet-2"));

        // its own fleet it sees, and its acknowledgements are recorded under its own name whatever it claims
        assertThat(expect("fleet-1 key: fleet-1 sessions", 200, get(CARL, "/api/analytics/fleets/fleet-1/sessions")).body())
                .contains("secret-table-of-fleet-1").doesNotContain("secret-table-of-fleet-2");
        assertThat(expect("fleet-1 key: acknowledges its own alert as someone else", 200,
                send("POST", "/api/alerts/" + fleet1Alert + "/acknowledge", carlClaimingAll, "{\"by\":\"sam\"}")).body())
                .contains("\"acknowledgedBy\":\"carl\"");
        assertThat(get(SAM, "/api/alerts/" + fleet2Alert).body()).as("fleet-2's alert untouched").contains("\"acknowledgedBy\":null");
    }

    @Test
    void noSpellingOfAPathOrAFilterReachesAnotherFleet() throws Exception {
        String fleet2Profile = "/tables/t-2/profile";
        List<HttpResponse<String>> refused = new ArrayList<>();
        // percent-encoded letters: the routes and services decode them, so the gateway refuses every '%' in a path
        refused.add(expect("fleet-1 key: encoded letter in /api/fleet", 400, get(CARL, "/api/%66leet/fleet-2/tables")));
        refused.add(expect("fleet-1 key: encoded letter in /api/alerts lists every fleet", 400, get(CARL, "/api/%61lerts")));
        refused.add(expect("fleet-1 key: encoded letter in a profile PUT", 400,
                send("PUT", "/api/%66leet/fleet-2" + fleet2Profile, key(CARL), "{\"maxAngleDeg\":10,\"contraindications\":[]}")));
        refused.add(expect("fleet-1 key: encoded letter in an export", 400, get(CARL, "/api/analytics/%66leets/fleet-2/exports/sessions")));
        refused.add(expect("fleet-1 key: encoded letter in the fleet id", 400, get(CARL, "/api/fleet/%66leet-2/tables")));
        refused.add(expect("fleet-1 key: encoded dash in the fleet id", 400, get(CARL, "/api/fleet/fleet%2D2/tables")));
        refused.add(expect("fleet-1 key: doubly encoded slash", 400, get(CARL, "/api/fleet/fleet-1%252F..%252Ffleet-2/tables")));
        refused.add(expect("encoded /api, which skipped the rate limit", 400, get(CARL, "/%61pi/fleet/fleet-1/tables")));
        // letter case: the fixed words match in any case, fleet ids exactly, as the services compare them
        refused.add(expect("fleet-1 key: /API in capitals", 403, get(CARL, "/API/fleet/fleet-2/tables")));
        refused.add(expect("fleet-1 key: /api/Fleet in mixed case", 403, get(CARL, "/api/Fleet/fleet-2/tables")));
        refused.add(expect("fleet-1 key: /api/analytics/Fleets in mixed case", 403, get(CARL, "/api/analytics/Fleets/fleet-2/sessions")));
        refused.add(expect("fleet-1 key: fleet id in capitals", 403, get(CARL, "/api/fleet/FLEET-2/tables")));
        // slashes, dot segments and matrix parameters
        refused.add(expect("fleet-1 key: double slash", 400, get(CARL, "/api//fleet/fleet-2/tables")));
        refused.add(expect("fleet-1 key: trailing slash", 403, get(CARL, "/api/fleet/fleet-2/tables/")));
        refused.add(expect("fleet-1 key: dot segments climbing out of its fleet", 400, get(CARL, "/api/fleet/fleet-1/../../fleet/fleet-2/tables")));
        refused.add(expect("fleet-1 key: matrix parameter on the fleet word", 400, get(CARL, "/api/fleet;x=1/fleet-2/tables")));
        refused.add(expect("fleet-1 key: matrix parameter on the alert list", 400, get(CARL, "/api/alerts;fleetId=fleet-1")));
        // the alert list's fleetId however it is given
        refused.add(expect("fleet-1 key: fleetId twice", 403, get(CARL, "/api/alerts?fleetId=fleet-1&fleetId=fleet-2")));
        refused.add(expect("fleet-1 key: fleetId encoded", 403, get(CARL, "/api/alerts?fleetId=fleet%2D2")));
        refused.add(expect("fleet-1 key: fleetId of both fleets, comma-joined", 403, get(CARL, "/api/alerts?fleetId=fleet-1,fleet-2")));
        refused.add(expect("fleet-1 key: fleetid in another case beside its own", 403, get(CARL, "/api/alerts?fleetId=fleet-1&FLEETID=fleet-2")));
        refused.add(expect("fleet-1 key: fleetId without a value", 403, get(CARL, "/api/alerts?fleetId")));
        refused.add(expect("fleet-1 key: alert list with a trailing slash", 403, get(CARL, "/api/alerts/?fleetId=fleet-2")));
        // methods no rule names
        refused.add(expect("OPTIONS without a credential", 401, send("OPTIONS", "/api/fleet/fleet-2/tables", Map.of(), null)));
        assertThat(refused).allSatisfy(response -> assertThat(response.body()).doesNotContain("secret-table-of-fleet-2"));
        assertThat(get(SAM, "/api/fleet/fleet-2" + fleet2Profile).body()).as("fleet-2's profile untouched").doesNotContain("\"maxAngleDeg\":10");
    }

    @Test
    void healthDetailsAndMetricsAreNotOnThePublicPort() throws Exception {
        expect("metrics on the public port", 404, send("GET", "/actuator/prometheus", Map.of(), null));
        expect("health details on the public port", 404, send("GET", "/actuator/health", Map.of(), null));
        assertThat(LoopbackHttp.get(stack.gateway.managementPort(), "/actuator/health/readiness")).contains("\"UP\"");
    }

    @Test
    void badBodiesInjectionsAndTraversalsGetA4xxNamingTheFault() throws Exception {
        String profile = "/api/fleet/fleet-1/tables/secret-table-of-fleet-1/profile";
        expect("70 KB profile body", 413, send("PUT", profile, key(SAM), "{\"maxAngleDeg\":45,\"pad\":\"" + "x".repeat(70_000) + "\"}"));
        expect("malformed JSON", 400, send("PUT", profile, key(SAM), "{\"maxAngleDeg\":"));
        expect("angle of the wrong type", 400, send("PUT", profile, key(SAM), "{\"maxAngleDeg\":\"steep\"}"));
        expect("angle out of range", 400, send("PUT", profile, key(SAM), "{\"maxAngleDeg\":400}"));
        expect("unknown contraindication", 400, send("PUT", profile, key(SAM), "{\"contraindications\":[\"$where\"]}"));
        expect("acknowledgement without a body", 400, send("POST", "/api/alerts/" + fleet1Alert + "/acknowledge", key(SAM), ""));
        expect("operator injection in the alert filter", 400, get(SAM, "/api/alerts?fleetId=" + encode("{\"$ne\":null}")));
        expect("operator injection in the session filter", 400, get(SAM, "/api/analytics/fleets/fleet-1/sessions?tableId=" + encode("{\"$gt\":\"\"}")));
        expect("operator injection in the export filter", 400, get(SAM, "/api/analytics/fleets/fleet-1/exports/sessions?tableId=" + encode("{\"$ne\":null}")));
        expect("regex in the alert id", 400, get(SAM, "/api/alerts/" + encode(".*")));
        expect("traversal in the export's fleet", 400, get(SAM, "/api/analytics/fleets/" + encode("../../etc") + "/exports/sessions"));
        expect("traversal in the export's name", 400, get(SAM, "/api/analytics/fleets/fleet-1/exports/..%2F..%2Fpasswd"));
        expect("unknown export format", 400, get(SAM, "/api/analytics/fleets/fleet-1/exports/sessions?format=XLSX"));
        expect("unknown granularity", 400, get(SAM, "/api/analytics/fleets/fleet-1/usage?granularity=FORTNIGHT"));
        expect("page size of 100,000", 400, get(SAM, "/api/alerts?fleetId=fleet-1&size=100000"));
        expect("negative page", 400, get(SAM, "/api/alerts?fleetId=fleet-1&page=-1"));
        expect("unparseable time", 400, get(SAM, "/api/alerts?fleetId=fleet-1&from=yesterday"));

        // and the platform serves on
        assertThat(get(SAM, "/api/alerts?fleetId=fleet-1").statusCode()).isEqualTo(200);
        assertThat(get(SAM, "/api/analytics/fleets/fleet-1/summary").statusCode()).isEqualTo(200);
    }

    private static HttpResponse<String> expect(String name, int status, HttpResponse<String> response) {
        outcomes.put(name, response.statusCode());
        assertThat(response.statusCode()).as("%s: %s", name, response.body()).isEqualTo(status);
        if (status >= 400) {
            assertThat(response.body()).as(name).contains("\"status\":" + status).contains("\"detail\":");
        }
        return response;
    }

    private static String alertIdOf(String fleet) throws Exception {
        Matcher id = ALERT_ID.matcher(get(SAM, "/api/alerts?fleetId=" + fleet).body());
        return id.find() ? id.group(1) : null;
    }

    private static Map<String, String> key(String key) {
        return Map.of("X-API-Key", key);
    }

    private static HttpResponse<String> get(String key, String path) throws Exception {
        return send("GET", path, key(key), null);
    }

    private static HttpResponse<String> send(String method, String path, Map<String, String> headers, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stack.gateway.port() + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
