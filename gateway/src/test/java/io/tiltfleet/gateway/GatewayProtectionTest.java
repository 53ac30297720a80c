package io.tiltfleet.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpMethod;
import io.tiltfleet.embedded.RunningService;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import reactor.netty.http.client.HttpClient;

/**
 * A gateway with tight budgets and its analytics and notification services down: 429 per credential and per client address
 * (each test calls from its own loopback address, 127.0.0.x), a fast 503, 413 for big bodies, 411 for
 * bodies of no stated length.
 */
class GatewayProtectionTest {

    static StubServices services;
    static RunningService gateway;

    @BeforeAll
    static void start() throws Exception {
        services = StubServices.start();
        int nobodyListens;
        try (ServerSocket socket = new ServerSocket(0)) {
            nobodyListens = socket.getLocalPort();
        }
        gateway = RunningService.of(GatewayApplication.builder().profiles("local")).with("--management.server.port=0",
                "--tiltfleet.gateway.safety-uri=" + services.safetyUri(),
                "--tiltfleet.gateway.analytics-uri=http://127.0.0.1:" + nobodyListens,
                "--tiltfleet.gateway.notification-uri=http://127.0.0.1:" + nobodyListens,
                "--tiltfleet.gateway.rate-limit.requests=5", "--tiltfleet.gateway.rate-limit.per=60s",
                "--tiltfleet.gateway.address-rate-limit.requests=3", "--tiltfleet.gateway.address-rate-limit.per=60s").start();
    }

    @AfterAll
    static void stop() {
        gateway.close();
        services.close();
    }

    @Test
    void aCredentialOverItsBudgetGets429WithRetryAfterAndOthersAreNotHeldBack() throws Exception {
        List<Integer> statuses = new ArrayList<>();
        HttpResponse<String> last = null;
        for (int i = 0; i < 6; i++) {
            last = send("GET", "/api/alerts", "tf-viewer-local", null);
            statuses.add(last.statusCode());
        }

        assertThat(statuses).containsExactly(200, 200, 200, 200, 200, 429);
        assertThat(last.headers().firstValue("Retry-After")).hasValueSatisfying(seconds -> assertThat(Integer.parseInt(seconds)).isBetween(1, 60));
        assertThat(last.body()).contains("\"status\":429", "more than 5 requests in 60 s");
        assertThat(send("GET", "/api/alerts", "tf-analyst-local", null).statusCode()).isEqualTo(200);
    }

    @Test
    void everyRequestOfACredentialCountsAgainstItsBudgetHoweverItsPathIsSpelled() throws Exception {
        // Given carl spends his budget of 5 on a path spelled in capitals, which no rule allows
        for (int i = 0; i < 5; i++) {
            assertThat(send("GET", "/API/fleet/fleet-1/tables", "tf-clinic1-local", null).statusCode()).isEqualTo(403);
        }

        // Then his next request, however well spelled, waits for the next period
        HttpResponse<String> next = send("GET", "/api/fleet/fleet-1/tables", "tf-clinic1-local", null);
        assertThat(next.statusCode()).isEqualTo(429);
        assertThat(next.body()).contains("more than 5 requests in 60 s");
    }

    @Test
    void requestsRefusedFor401UseUpTheAddressBudgetBeforeAnyCredentialIsChecked() {
        // Given an address that guessed three keys, its budget of 3 (address-rate-limit)
        for (int i = 0; i < 3; i++) {
            assertThat(fromAddress("127.0.0.2", "GET", "/api/alerts", Map.of("X-API-Key", "guess-" + i)).status()).isEqualTo(401);
        }

        // When it sends a fourth, even a valid key, it gets 429 until the period ends
        Reply refused = fromAddress("127.0.0.2", "GET", "/api/alerts", Map.of("X-API-Key", "tf-supervisor-local"));
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.retryAfter()).isNotNull();
        assertThat(refused.body()).contains("\"status\":429", "this address made more than 3 OPTIONS requests and requests without a valid credential in 60 s");
        // and another address, or a valid credential spending its own budget, is not held back
        assertThat(fromAddress("127.0.0.3", "GET", "/api/alerts", Map.of("X-API-Key", "tf-analyst-local")).status()).isEqualTo(200);
    }

    @Test
    void optionsRequestsUseUpTheAddressBudget() {
        Map<String, String> preflight = Map.of("Origin", "http://localhost:8080", "Access-Control-Request-Method", "GET");
        for (int i = 0; i < 3; i++) {
            assertThat(fromAddress("127.0.0.4", "OPTIONS", "/api/fleet/fleet-1/tables", preflight).status()).isEqualTo(200);
        }

        Reply fourth = fromAddress("127.0.0.4", "OPTIONS", "/api/fleet/fleet-1/tables", preflight);
        assertThat(fourth.status()).isEqualTo(429);
        assertThat(fourth.body()).contains("\"status\":429");
    }

    @Test
    void acknowledgementLinksUseUpTheAddressBudgetWhateverTheirAnswer() {
        // Given an address that opened three acknowledgement links (answered 503: the notification service is down)
        for (int i = 0; i < 3; i++) {
            assertThat(fromAddress("127.0.0.5", "GET", "/api/notifications/ack/token-" + i, Map.of()).status()).isEqualTo(503);
        }

        // When it opens a fourth, it gets 429 until the period ends: no credential pays for these
        Reply fourth = fromAddress("127.0.0.5", "POST", "/api/notifications/ack/token-3", Map.of());
        assertThat(fourth.status()).isEqualTo(429);
        assertThat(fourth.retryAfter()).isNotNull();
    }

    @ParameterizedTest(name = "{0} down")
    @CsvSource(delimiter = '|', value = {
            // service           | path
            "analytics-service    | /api/analytics/fleets/clinic-1/summary",
            "notification-service | /api/fleets/clinic-1/notification-policies",
            "notification-service | /api/notifications?fleetId=clinic-1"})
    void aServiceThatIsDownGivesAFast503NamingIt(String service, String path) throws Exception {
        long started = System.nanoTime();
        HttpResponse<String> response = send("GET", path, "tf-operator-local", null);
        long millis = (System.nanoTime() - started) / 1_000_000;

        System.out.printf("%s down: %d in %d ms%n", service, response.statusCode(), millis);
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).isPresent();
        assertThat(response.body()).contains("\"status\":503", "the " + service + " is not answering");
    }

    @Test
    void aBodyOverTheSizeLimitIsRefusedBeforeItReachesAService() throws Exception {
        HttpResponse<String> response = send("PUT", "/api/fleet/clinic-1/tables/t-1/profile", "tf-supervisor-local",
                "{\"note\":\"" + "x".repeat(70_000) + "\"}");

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.body()).contains("over the limit of 65536 bytes");
    }

    @Test
    void aBodySentWithoutALengthIsRefusedWhateverItsSize() throws Exception {
        int port = gateway.port();
        java.io.InputStream endless = java.io.InputStream.nullInputStream();
        HttpResponse<String> response = GatewayTest.HTTP.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + port + "/api/fleet/clinic-1/tables/t-1/profile"))
                .header("X-API-Key", "tf-supervisor-local").header("Content-Type", "application/json")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofInputStream(() -> endless)).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(411);
        assertThat(response.body()).contains("Content-Length");
    }

    record Reply(int status, String retryAfter, String body) {
    }

    /** A request sent from another loopback address, which has a budget of its own. */
    static Reply fromAddress(String localAddress, String method, String path, Map<String, String> headers) {
        int port = gateway.port();
        return HttpClient.create().bindAddress(() -> new InetSocketAddress(localAddress, 0)).headers(sent -> headers.forEach(sent::set))
                .request(HttpMethod.valueOf(method)).uri("http://127.0.0.1:" + port + path)
                .responseSingle((response, body) -> body.asString().defaultIfEmpty("")
                        .map(text -> new Reply(response.status().code(), response.responseHeaders().get("Retry-After"), text)))
                .block(Duration.ofSeconds(10));
    }

    static HttpResponse<String> send(String method, String path, String key, String body) throws Exception {
        int port = gateway.port();
        if (body == null) {
            return GatewayTest.send(port, method, path, Map.of("X-API-Key", key));
        }
        return GatewayTest.HTTP.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + path))
                .header("X-API-Key", key).header("Content-Type", "application/json")
                .method(method, java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
