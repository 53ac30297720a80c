package io.tiltfleet.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.tiltfleet.embedded.RunningService;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.config.YamlPropertiesFactoryBean;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.Disposable;

/** The real gateway in front of stand-in services: routes, credentials and roles, streaming and its cap, the management port. */
class GatewayTest {

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static StubServices services;
    static RunningService gateway;
    static KeyPair signingKeys;
    static final String AUDIENCE = "tiltfleet-api";

    @BeforeAll
    static void start(@TempDir Path keys) throws Exception {
        services = StubServices.start();
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        signingKeys = generator.generateKeyPair();
        Path publicKey = keys.resolve("issuer.pub");
        Files.writeString(publicKey, "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(signingKeys.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n");
        // as on Kubernetes, where Boot would trust a client's Forwarded and X-Forwarded-* headers unless told not to
        gateway = RunningService.of(GatewayApplication.builder().profiles("local")).with("--spring.main.cloud-platform=kubernetes",
                "--management.server.port=0",
                "--tiltfleet.gateway.safety-uri=" + services.safetyUri(), "--tiltfleet.gateway.analytics-uri=" + services.analyticsUri(),
                "--tiltfleet.gateway.rate-limit.requests=10000", "--tiltfleet.gateway.max-streams-per-credential=2",
                "--tiltfleet.gateway.response-timeout=3s", "--spring.security.oauth2.resourceserver.jwt.public-key-location=file:" + publicKey).start();
    }

    @AfterAll
    static void stop() {
        gateway.close();
        services.close();
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            // method | path                                          | service reached
            "GET  | /api/fleet/clinic-1/tables                       | safety",
            "GET  | /api/alerts?fleetId=clinic-1                     | safety",
            "GET  | /api/analytics/fleets/clinic-1/summary           | analytics",
            "GET  | /api/analytics/fleets/clinic-1/usage?granularity=DAY | analytics"})
    void eachRouteReachesItsServiceWithoutTheCredential(String method, String path, String service) throws Exception {
        HttpResponse<String> response = send(method, path, "tf-viewer-local");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"service\":\"" + service + "\"", "\"path\":\"" + path + "\"", "\"credentialForwarded\":false");
        assertThat(response.headers().allValues("Set-Cookie")).as("no session is made for a credential sent with each request").isEmpty();
    }

    @ParameterizedTest(name = "{1} {2} with {0} -> {3}")
    @CsvSource(delimiter = '|', value = {
            // key                 | method | path                                               | status
            "                      | GET  | /api/fleet/clinic-1/tables                           | 401",
            "not-a-key             | GET  | /api/fleet/clinic-1/tables                           | 401",
            "tf-viewer-local       | POST | /api/alerts/a-1/acknowledge                          | 403",
            "tf-viewer-local       | PUT  | /api/fleet/clinic-1/tables/t-1/profile               | 403",
            "tf-viewer-local       | GET  | /api/analytics/fleets/clinic-1/exports/sessions      | 403",
            "tf-operator-local     | POST | /api/alerts/a-1/acknowledge                          | 200",
            "tf-operator-local     | PUT  | /api/fleet/clinic-1/tables/t-1/profile               | 200",
            "tf-operator-local     | GET  | /api/analytics/fleets/clinic-1/exports/sessions      | 403",
            "tf-analyst-local      | GET  | /api/analytics/fleets/clinic-1/exports/sessions      | 200",
            "tf-analyst-local      | POST | /api/alerts/a-1/acknowledge                          | 403",
            "tf-supervisor-local   | POST | /api/alerts/a-1/acknowledge                          | 200",
            "tf-supervisor-local   | GET  | /api/analytics/fleets/clinic-1/exports/usage         | 200",
            "tf-operator-local     | DELETE | /api/alerts/a-1                                    | 403",
            "tf-viewer-local       | GET  | /actuator/env                                        | 403"})
    void rolesDecideWhatACredentialMayDo(String key, String method, String path, int status) throws Exception {
        HttpResponse<String> response = send(method, path, key);

        assertThat(response.statusCode()).isEqualTo(status);
        if (status >= 400) {
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).contains("application/problem+json"));
            assertThat(response.body()).contains("\"status\":" + status);
        }
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            // key             | path                                                 | status | fleets the service is told
            "tf-clinic1-local  | /api/fleet/fleet-1/tables                            | 200    | fleet-1",
            "tf-clinic1-local  | /api/fleet/fleet-2/tables                            | 403    | ",
            "tf-clinic1-local  | /api/fleet/fleet-2/stream                            | 403    | ",
            "tf-clinic1-local  | /api/fleet/fleet-2/tables/t-1/profile                | 403    | ",
            "tf-clinic1-local  | /api/analytics/fleets/fleet-2/summary                | 403    | ",
            "tf-clinic1-local  | /api/analytics/fleets/fleet-2/exports/sessions       | 403    | ",
            "tf-clinic1-local  | /api/analytics/fleets/fleet-1/exports/sessions       | 200    | fleet-1",
            "tf-clinic1-local  | /api/alerts                                          | 403    | ",
            "tf-clinic1-local  | /api/alerts?fleetId=fleet-2                          | 403    | ",
            "tf-clinic1-local  | /api/alerts?fleetId=fleet-1&fleetId=fleet-2          | 403    | ",
            "tf-clinic1-local  | /api/alerts?FLEETID=fleet-1                          | 403    | ",   // the service would see no filter
            "tf-clinic1-local  | /api/alerts?fleetId=fleet-1                          | 200    | fleet-1",
            "tf-clinic1-local  | /api/alerts/a-1                                      | 200    | fleet-1",
            "tf-viewer-local   | /api/fleet/fleet-2/tables                            | 200    | *",
            "tf-viewer-local   | /api/alerts                                          | 200    | *"})
    void aCredentialSeesOnlyItsFleetsAndTheServicesAreToldWhichThoseAre(String key, String path, int status, String fleets) throws Exception {
        HttpResponse<String> response = send("GET", path, Map.of("X-API-Key", key, "X-TiltFleet-Fleets", "*", "X-TiltFleet-Caller", "someone-else"));

        assertThat(response.statusCode()).isEqualTo(status);
        if (status == 200) {
            assertThat(response.body()).as("what the client sent under the gateway's header names is replaced")
                    .contains("\"fleets\":\"" + fleets + "\"").doesNotContain("someone-else");
        } else {
            assertThat(response.body()).contains("\"status\":403", "carl may ").doesNotContain("\"service\"");
        }
    }

    @Test
    void aConnectionHeaderNamingTheCallerHeadersDoesNotStripThemOnTheWayToTheService() {
        String body = WebClient.create("http://127.0.0.1:" + port()).get().uri("/api/fleet/fleet-1/tables")
                .header("X-API-Key", "tf-clinic1-local").header("Connection", "keep-alive, X-TiltFleet-Caller, X-TiltFleet-Fleets")
                .retrieve().bodyToMono(String.class).block(Duration.ofSeconds(10));

        assertThat(body).contains("\"fleets\":\"fleet-1\"", "\"caller\":\"carl\"");
    }

    @Test
    void forwardedHeadersFromAClientChangeNeitherThePathNorTheAddress() throws Exception {
        HttpResponse<String> prefixed = send("GET", "/", Map.of("X-Forwarded-Prefix", "/api/fleet/fleet-2/tables", "Forwarded", "for=192.0.2.1"));

        assertThat(prefixed.statusCode()).isEqualTo(200);
        assertThat(prefixed.body()).as("the dashboard, not a service").contains("<title>TiltFleet").doesNotContain("\"service\"");
    }

    @Test
    void aJwtFleetsClaimValueThatIsNoFleetIdIsIgnored() throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), new JWTClaimsSet.Builder().subject("mallory@clinic").audience(AUDIENCE)
                .claim("roles", List.of("viewer")).claim("fleets", List.of("clinic-1,*", "clinic-2"))
                .expirationTime(Date.from(Instant.now().plusSeconds(300))).issueTime(new Date()).build());
        jwt.sign(new RSASSASigner((RSAPrivateKey) signingKeys.getPrivate()));

        HttpResponse<String> response = sendBearer("GET", "/api/alerts/a-1", jwt.serialize());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).as("the services are told only the real fleet id").contains("\"fleets\":\"clinic-2\"");
    }

    @Test
    void aJwtFromTheConfiguredIssuerCarriesItsRolesAndAForgedOneIsRefused() throws Exception {
        String operator = token(signingKeys, List.of("operator"), Instant.now().plusSeconds(300), AUDIENCE);
        String viewer = token(signingKeys, List.of("viewer"), Instant.now().plusSeconds(300), AUDIENCE);
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        String forged = token(generator.generateKeyPair(), List.of("operator"), Instant.now().plusSeconds(300), AUDIENCE);
        String expired = token(signingKeys, List.of("operator"), Instant.now().minusSeconds(300), AUDIENCE);

        assertThat(sendBearer("POST", "/api/alerts/a-1/acknowledge", operator).statusCode()).isEqualTo(200);
        assertThat(sendBearer("POST", "/api/alerts/a-1/acknowledge", viewer).statusCode()).isEqualTo(403);
        assertThat(sendBearer("GET", "/api/fleet/clinic-1/tables", forged).statusCode()).isEqualTo(401);
        assertThat(sendBearer("GET", "/api/fleet/clinic-1/tables", expired).statusCode()).isEqualTo(401);
        assertThat(sendBearer("GET", "/api/me", operator).body()).contains("\"name\":\"olivia@clinic\"", "\"roles\":[\"operator\"]",
                "\"fleets\":[\"clinic-1\"]");
        assertThat(sendBearer("GET", "/api/fleet/clinic-2/tables", operator).statusCode()).as("a fleet outside the token's fleets claim").isEqualTo(403);
    }

    @Test
    void aJwtIssuedForAnotherAudienceOrForNoneIsRefused() throws Exception {
        // Given tokens of the configured issuer, signed with its key and unexpired, one per audience
        String forThisApi = token(signingKeys, List.of("viewer"), Instant.now().plusSeconds(300), AUDIENCE);
        String forAnotherApplication = token(signingKeys, List.of("viewer"), Instant.now().plusSeconds(300), "billing-api");
        String forNoAudience = token(signingKeys, List.of("viewer"), Instant.now().plusSeconds(300), null);

        // Then only the one naming this API is accepted
        assertThat(sendBearer("GET", "/api/fleet/clinic-1/tables", forThisApi).statusCode()).isEqualTo(200);
        HttpResponse<String> other = sendBearer("GET", "/api/fleet/clinic-1/tables", forAnotherApplication);
        assertThat(other.statusCode()).as(other.body()).isEqualTo(401);
        assertThat(other.body()).contains("\"status\":401", "aud").doesNotContain("\"service\"");
        assertThat(sendBearer("GET", "/api/fleet/clinic-1/tables", forNoAudience).statusCode()).isEqualTo(401);
    }

    @Test
    void aSlowAnswerWithinTheResponseTimeoutIsPassedOn() throws Exception {
        HttpResponse<String> response = send("GET", "/api/alerts/slow", "tf-viewer-local");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"path\":\"/api/alerts/slow\"");
    }

    @Test
    void aRequestPastTheResponseTimeoutGetsA503ButARemovalOfAFleetsDataHasLongerAndABreakerOfItsOwn() throws Exception {
        HttpResponse<String> tooSlow = send("GET", "/api/alerts/slower", "tf-viewer-local");
        assertThat(tooSlow.statusCode()).as(tooSlow.body()).isEqualTo(503);

        HttpResponse<String> removal = send("DELETE", "/api/analytics/fleets/clinic-1/data", "tf-operator-local");

        assertThat(removal.statusCode()).as(removal.body()).isEqualTo(200);
        assertThat(removal.body()).contains("\"service\":\"analytics\"", "\"method\":\"DELETE\"");
        HttpResponse<String> metrics = send(gateway.managementPort(), "GET", "/actuator/prometheus", Map.of());
        assertThat(metrics.body()).contains("routeId=\"analytics-removals\"");
    }

    @Test
    void serverSentEventsPassThroughOneByOne() {
        List<Long> arrivals = new ArrayList<>();
        long started = System.nanoTime();
        WebClient.create("http://127.0.0.1:" + port()).get().uri("/api/fleet/clinic-1/stream").header("X-API-Key", "tf-viewer-local")
                .retrieve().bodyToFlux(new ParameterizedTypeReference<ServerSentEvent<String>>() { })
                .doOnNext(event -> arrivals.add((System.nanoTime() - started) / 1_000_000))
                .blockLast(Duration.ofSeconds(10));

        // five events sent 300 ms apart arrive about 300 ms apart, not all together at the end
        assertThat(arrivals).hasSize(5);
        for (int i = 1; i < arrivals.size(); i++) {
            assertThat(arrivals.get(i) - arrivals.get(i - 1)).as("gap before event %d", i).isGreaterThan(150);
        }
    }

    @Test
    void aCredentialHoldsAtMostItsNumberOfEventStreamsAtOnce() throws Exception {
        // Given the analyst holds two streams open, the most this gateway allows (max-streams-per-credential=2)
        List<Disposable> streams = new ArrayList<>();
        List<String> first = new CopyOnWriteArrayList<>();
        List<String> second = new CopyOnWriteArrayList<>();
        try {
            streams.add(stream("tf-analyst-local", first));
            streams.add(stream("tf-analyst-local", second));
            await().atMost(Duration.ofSeconds(10)).until(() -> !first.isEmpty() && !second.isEmpty());

            // When it opens a third, it is refused, while another credential still gets one
            try (Opened third = openStream("tf-analyst-local")) {
                assertThat(third.status()).isEqualTo(429);
                assertThat(third.body()).contains("\"status\":429", "2 event streams open");
            }
            List<String> another = new CopyOnWriteArrayList<>();
            streams.add(stream("tf-supervisor-local", another));
            await().atMost(Duration.ofSeconds(10)).until(() -> !another.isEmpty());

            // And once it closes one, it may open another
            streams.remove(0).dispose();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                try (Opened again = openStream("tf-analyst-local")) {
                    return again.status() == 200;
                }
            });
        } finally {
            streams.forEach(Disposable::dispose);
        }
    }

    @Test
    void aBrowserOnAnAllowedOriginMayAskFirstButAPlainOptionsRequestNeedsACredential() throws Exception {
        HttpResponse<String> preflight = send("OPTIONS", "/api/fleet/clinic-1/tables",
                Map.of("Origin", "http://localhost:8080", "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "x-api-key"));
        HttpResponse<String> plain = send("OPTIONS", "/api/fleet/clinic-1/tables", Map.of());

        assertThat(preflight.statusCode()).isEqualTo(200);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue("http://localhost:8080");
        assertThat(preflight.body()).doesNotContain("\"service\"");
        assertThat(plain.statusCode()).as("no service is reached without a credential").isEqualTo(401);
        assertThat(plain.body()).contains("\"status\":401").doesNotContain("\"service\"");
    }

    @Test
    void theDashboardAndTheApiDescriptionNeedNoCredential() throws Exception {
        assertThat(send("GET", "/", Map.of()).body()).contains("<title>TiltFleet");
        assertThat(send("GET", "/openapi.yaml", Map.of()).body()).contains("openapi: 3.1");
    }

    @Test
    void healthAndMetricsAreOnTheManagementPortOnlyAndEachRouteIsMeasured() throws Exception {
        send("GET", "/api/alerts", "tf-viewer-local");
        int management = gateway.managementPort();
        YamlPropertiesFactoryBean configuration = new YamlPropertiesFactoryBean();
        configuration.setResources(new ClassPathResource("gateway.yml"));
        assertThat(configuration.getObject().getProperty("management.server.port")).as("gateway.yml's own management port").isEqualTo("8090");

        // the public port serves neither health details nor metrics, to anyone
        for (String path : List.of("/actuator/health", "/actuator/health/readiness", "/actuator/prometheus", "/actuator/info")) {
            HttpResponse<String> response = send("GET", path, Map.of());
            assertThat(response.statusCode()).as(path).isEqualTo(404);
            assertThat(response.body()).as(path).doesNotContain("components", "jvm_");
        }
        // the management port serves probes and Prometheus without a credential
        assertThat(management).isNotEqualTo(port());
        assertThat(send(management, "GET", "/actuator/health/readiness", Map.of()).body()).contains("\"status\":\"UP\"");
        HttpResponse<String> metrics = send(management, "GET", "/actuator/prometheus", Map.of());
        assertThat(metrics.body()).contains("spring_cloud_gateway_requests_seconds_count").contains("routeId=\"safety\"");
        assertThat(metrics.headers().allValues("Set-Cookie")).isEmpty();
        // and Spring Security still guards it: what is not for monitoring needs a credential, and no role may read it
        HttpResponse<String> anonymous = send(management, "GET", "/actuator/metrics", Map.of());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.body()).contains("\"status\":401");
        assertThat(send(management, "GET", "/actuator/metrics", Map.of("X-API-Key", "tf-supervisor-local")).statusCode()).isEqualTo(403);
        assertThat(send(management, "GET", "/actuator/%68ealth", Map.of()).statusCode()).as("encoded paths").isEqualTo(400);
    }

    /** A token for this API's audience (gateway.yml), or for another, or (null) for none. */
    static String token(KeyPair keys, List<String> roles, Instant expires, String audience) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), new JWTClaimsSet.Builder().subject("olivia@clinic").audience(audience)
                .claim("roles", roles).claim("fleets", List.of("clinic-1")).expirationTime(Date.from(expires)).issueTime(new Date()).build());
        jwt.sign(new RSASSASigner((RSAPrivateKey) keys.getPrivate()));
        return jwt.serialize();
    }

    /** A stream request's status, with the body of a refusal (an open stream's is never read: it does not end). */
    record Opened(int status, String body, InputStream stream) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            stream.close();
        }
    }

    private static Opened openStream(String apiKey) throws Exception {
        HttpResponse<InputStream> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + "/api/fleet/endless/stream"))
                .header("X-API-Key", apiKey).build(), HttpResponse.BodyHandlers.ofInputStream());
        String body = response.statusCode() == 200 ? "" : new String(response.body().readAllBytes(), StandardCharsets.UTF_8);
        return new Opened(response.statusCode(), body, response.body());
    }

    /** An event stream of the stand-in's endless fleet, read as it comes; dispose to close it. */
    private static Disposable stream(String apiKey, List<String> events) {
        return WebClient.create("http://127.0.0.1:" + port()).get().uri("/api/fleet/endless/stream").header("X-API-Key", apiKey)
                .retrieve().bodyToFlux(new ParameterizedTypeReference<ServerSentEvent<String>>() { })
                .subscribe(event -> events.add(event.data()));
    }

    static HttpResponse<String> send(String method, String path, String apiKey) throws Exception {
        return send(method, path, apiKey == null ? Map.of() : Map.of("X-API-Key", apiKey));
    }

    static HttpResponse<String> sendBearer(String method, String path, String token) throws Exception {
        return send(method, path, Map.of("Authorization", "Bearer " + token));
    }

    static HttpResponse<String> send(String method, String path, Map<String, String> headers) throws Exception {
        return send(port(), method, path, headers);
    }

    static HttpResponse<String> send(int port, String method, String path, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10))
                .method(method, "GET".equals(method) || "OPTIONS".equals(method) ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString("{\"by\":\"olivia\"}"))
                .header("Content-Type", "application/json");
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static int port() {
        return gateway.port();
    }
}
