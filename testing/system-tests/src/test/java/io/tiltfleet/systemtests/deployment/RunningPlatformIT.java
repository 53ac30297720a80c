package io.tiltfleet.systemtests.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import io.tiltfleet.contract.TelemetryReading;
import io.tiltfleet.embedded.LocalWebhookReceiver;
import io.tiltfleet.embedded.LoopbackHttp;
import io.tiltfleet.embedded.RunningService;
import io.tiltfleet.simulator.TablePublisher;
import io.tiltfleet.systemtests.LocalStack;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The monitoring and database files of the deployment against the platform really running (all
 * services and the gateway in this JVM, real Mosquitto and Kafka, the MongoDB stand-in), after a table
 * has raised an alert and sent a malformed message: every series the Grafana dashboards and the
 * Prometheus rules query is one a service exposes, with the labels they group by; Prometheus scrapes
 * every service where it serves its metrics (the gateway: its management port); the MongoDB index script creates what the services create.
 */
class RunningPlatformIT {

    /** Series Prometheus makes itself rather than scraping them. */
    private static final Set<String> SYNTHETIC = Set.of("up");
    private static final String NOTIFICATION_SERVICE = "notification-service";
    private static final String WEBHOOK_SECRET = "deploy-test-secret";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    static LocalStack stack;
    static LocalWebhookReceiver receiver;
    static Map<String, Exposition> expositions;

    @BeforeAll
    static void runTheFleetThroughThePlatform() throws Exception {
        stack = LocalStack.start();
        // so that the alert below is delivered and the delivery counters exist
        receiver = LocalWebhookReceiver.start(0, WEBHOOK_SECRET, line -> { });
        HttpResponse<String> policy = throughGateway("PUT", "/api/fleets/deploy/notification-policies",
                "{\"channels\":[{\"id\":\"hook\",\"kind\":\"WEBHOOK\",\"url\":\"http://127.0.0.1:" + receiver.port()
                        + LocalWebhookReceiver.PATH + "\",\"secret\":\"" + WEBHOOK_SECRET + "\"}],"
                        + "\"rules\":[{\"severities\":[\"WARNING\",\"CRITICAL\"],\"tiers\":[{\"after\":\"PT0S\",\"channels\":[\"hook\"]}]}]}");
        assertThat(policy.statusCode()).as(policy.body()).isBetween(200, 299);
        try (TablePublisher table = TablePublisher.connect(stack.mqtt.uri(), "deploy", "t-1")) {
            Instant start = Instant.now().minusSeconds(20);
            for (int second = 0; second < 10; second++) {
                table.publish(new TelemetryReading("deploy", "t-1", second + 1, start.plusSeconds(second), "s-1", 80, second, true)).join();
            }
            table.publish(new TelemetryReading("deploy", "t-1", 11, start.plusSeconds(10), "s-1", 0, 10, false)).join();
            table.publish("fleets/deploy/tables/t-1/telemetry", "{not json").join();
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> scrape(stack.safety).contains("tiltfleet_safety_alerts_raised_total")
                && scrape(stack.analytics).contains("tiltfleet_analytics_sessions_closed_total")
                && scrape(stack.notification).contains("tiltfleet_notification_deliveries_total"));
        for (String path : List.of("/api/fleet/deploy/tables", "/api/alerts?fleetId=deploy", "/api/analytics/fleets/deploy/summary")) {
            assertThat(throughGateway("GET", path, null).statusCode()).as(path).isEqualTo(200);
        }
        expositions = new HashMap<>(Map.of(
                "ingest-service", Exposition.parse("ingest-service", scrape(stack.ingest)),
                "safety-alert-service", Exposition.parse("safety-alert-service", scrape(stack.safety)),
                "analytics-service", Exposition.parse("analytics-service", scrape(stack.analytics)),
                "gateway", Exposition.parse("gateway", scrape(stack.gateway))));
        expositions.put(NOTIFICATION_SERVICE, Exposition.parse(NOTIFICATION_SERVICE, scrape(stack.notification)));
    }

    @AfterAll
    static void stop() throws Exception {
        if (receiver != null) {
            receiver.close();
        }
        stack.close();
    }

    @Test
    void everySeriesAndLabelTheGrafanaDashboardsQueryIsExposedByAService() throws Exception {
        List<String> expressions = new ArrayList<>();
        for (JsonNode panel : JSON.readTree(Repository.read("infra/grafana/dashboards/tiltfleet-overview.json")).get("panels")) {
            if (panel.has("targets")) {
                panel.get("targets").forEach(target -> expressions.add(target.get("expr").asString()));
            }
        }
        assertThat(expressions).hasSizeGreaterThan(15);
        assertQueriesExposed("infra/grafana/dashboards/tiltfleet-overview.json", expressions);
    }

    @Test
    void everySeriesThePrometheusAlertRulesQueryIsExposedByAService() {
        Map<String, List<Map<String, List<Map<String, Object>>>>> rules = new Yaml().load(Repository.read("infra/prometheus/alerts.yml"));
        List<String> expressions = rules.get("groups").stream().flatMap(group -> group.get("rules").stream())
                .map(rule -> (String) rule.get("expr")).toList();
        assertThat(expressions).isNotEmpty();
        assertQueriesExposed("infra/prometheus/alerts.yml", expressions);
    }

    @Test
    void prometheusScrapesEveryServiceOnItsComposeNameAndPortWhereItServesItsMetrics() {
        Map<String, List<Map<String, Object>>> config = new Yaml().load(Repository.read("infra/prometheus/prometheus.yml"));
        Map<String, Map<String, Object>> compose = DockerCompose.services();
        Map<String, RunningService> running = new HashMap<>(Map.of("ingest-service", stack.ingest,
                "safety-alert-service", stack.safety, "analytics-service", stack.analytics, "gateway", stack.gateway));
        running.put(NOTIFICATION_SERVICE, stack.notification);
        Set<String> scraped = new TreeSet<>();
        for (Map<String, Object> job : config.get("scrape_configs")) {
            @SuppressWarnings("unchecked")
            List<String> targets = ((List<Map<String, List<String>>>) job.get("static_configs")).get(0).get("targets");
            String[] hostPort = targets.get(0).split(":");
            assertThat(compose).as("docker-compose service %s", hostPort[0]).containsKey(hostPort[0]);
            assertThat(DockerCompose.containerPorts(hostPort[0])).contains(Integer.parseInt(hostPort[1]));
            scraped.add(hostPort[0]);
            if (running.containsKey(hostPort[0])) {
                String metricsPath = (String) job.get("metrics_path");
                assertThat(LoopbackHttp.get(running.get(hostPort[0]).managementPort(), metricsPath)).contains("jvm_memory_used_bytes");
            }
        }
        assertThat(scraped).containsAll(running.keySet());
        Set<String> notRunning = new TreeSet<>(scraped);
        notRunning.removeAll(running.keySet());
        assertThat(notRunning).as("scraped, yet no such service runs").isEmpty();
    }

    @Test
    void theMongoDbIndexScriptCreatesExactlyTheIndexesTheServicesCreate() {
        Map<String, Set<String>> scripted = new TreeMap<>();
        Matcher createIndex = Pattern.compile("tiltfleet\\.(\\w+)\\.createIndex\\(\\{([^}]*)}[,)]").matcher(Repository.read("infra/mongodb/create-indexes.js"));
        while (createIndex.find()) {
            scripted.computeIfAbsent(createIndex.group(1), c -> new TreeSet<>()).add(createIndex.group(2).replaceAll("[\\s\"]", ""));
        }
        Map<String, Set<String>> created = new TreeMap<>();
        try (MongoClient client = MongoClients.create(stack.mongo.uri("tiltfleet"))) {
            for (String collection : Flux.from(client.getDatabase("tiltfleet").listCollectionNames()).collectList().block()) {
                Set<String> keys = Flux.from(client.getDatabase("tiltfleet").getCollection(collection).listIndexes())
                        .map(index -> keysOf((Document) index.get("key"))).filter(spec -> !spec.equals("_id:1"))
                        .collect(Collectors.toCollection(TreeSet::new)).block();
                if (!keys.isEmpty()) {
                    created.put(collection, keys);
                }
            }
        }
        assertThat(scripted).isEqualTo(created);
    }

    private static void assertQueriesExposed(String file, List<String> expressions) {
        for (String expression : expressions) {
            PromQl query = PromQl.parse(expression);
            List<Exposition> candidates = expositions.values().stream()
                    .filter(exposition -> query.application() == null || exposition.application().equals(query.application())).toList();
            assertThat(candidates).as("application of %s", expression).isNotEmpty();
            Set<String> labelsOfItsMetrics = new TreeSet<>();
            for (String metric : query.metrics()) {
                if (SYNTHETIC.contains(metric)) {
                    continue;
                }
                List<Exposition> exposing = candidates.stream().filter(exposition -> exposition.has(metric)).toList();
                assertThat(exposing).as("%s queries %s: no running service exposes it", file, metric).isNotEmpty();
                exposing.forEach(exposition -> labelsOfItsMetrics.addAll(exposition.labelsOf(metric)));
            }
            if (query.metrics().stream().noneMatch(SYNTHETIC::contains)) {
                assertThat(labelsOfItsMetrics).as("%s: labels of %s", file, expression).containsAll(query.labels());
            }
        }
    }

    private static String keysOf(Document key) {
        return key.entrySet().stream().map(entry -> entry.getKey() + ":" + ((Number) entry.getValue()).intValue()).collect(Collectors.joining(","));
    }

    private static String scrape(RunningService service) {
        return LoopbackHttp.get(service.managementPort(), "/actuator/prometheus");
    }

    /** As sam, who operates every fleet; a JSON body, or none if null. */
    private static HttpResponse<String> throughGateway(String method, String path, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stack.gateway.port() + path))
                .header("X-API-Key", "tf-supervisor-local").header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}
