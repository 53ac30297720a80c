package io.tiltfleet.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/** A gateway with a tight budget and its analytics service down: 429 per credential, a fast 503, 413 for big bodies, 411 for bodies of no stated length. */
class GatewayProtectionTest {

    static StubServices services;
    static ConfigurableApplicationContext gateway;

    @BeforeAll
    static void start() throws Exception {
        services = StubServices.start();
        int nobodyListens;
        try (ServerSocket socket = new ServerSocket(0)) {
            nobodyListens = socket.getLocalPort();
        }
        gateway = GatewayApplication.builder().profiles("local").run("--server.port=0",
                "--tiltfleet.gateway.safety-uri=" + services.safetyUri(),
                "--tiltfleet.gateway.analytics-uri=http://127.0.0.1:" + nobodyListens,
                "--tiltfleet.gateway.rate-limit.requests=5", "--tiltfleet.gateway.rate-limit.per=60s");
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
    void aServiceThatIsDownGivesAFast503NamingIt() throws Exception {
        long started = System.nanoTime();
        HttpResponse<String> response = send("GET", "/api/analytics/fleets/clinic-1/summary", "tf-operator-local", null);
        long millis = (System.nanoTime() - started) / 1_000_000;

        System.out.printf("analytics down: %d in %d ms%n", response.statusCode(), millis);
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).isPresent();
        assertThat(response.body()).contains("\"status\":503", "the analytics-service is not answering");
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
        int port = ((WebServerApplicationContext) gateway).getWebServer().getPort();
        java.io.InputStream endless = java.io.InputStream.nullInputStream();
        HttpResponse<String> response = GatewayTest.HTTP.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + port + "/api/fleet/clinic-1/tables/t-1/profile"))
                .header("X-API-Key", "tf-supervisor-local").header("Content-Type", "application/json")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofInputStream(() -> endless)).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(411);
        assertThat(response.body()).contains("Content-Length");
    }

    static HttpResponse<String> send(String method, String path, String key, String body) throws Exception {
        int port = ((WebServerApplicationContext) gateway).getWebServer().getPort();
        if (body == null) {
            return GatewayTest.send(port, method, path, Map.of("X-API-Key", key));
        }
        return GatewayTest.HTTP.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + path))
                .header("X-API-Key", key).header("Content-Type", "application/json")
                .method(method, java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
