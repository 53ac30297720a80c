package io.tiltfleet.systemtests.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * docker-compose and the Kubernetes manifests agree with the repository: every file they mount exists,
 * every service is built from a module that exists, each workload has probes, resources, an autoscaler
 * and a disruption budget, and no consumer scales past the partitions it shares; nothing but the gateway,
 * the MQTT broker and Grafana is published, and the network policies let only the gateway reach the
 * services and Prometheus their metrics.
 */
class DeploymentFilesTest {

    static final List<String> SERVICES = List.of("ingest-service", "safety-alert-service", "analytics-service", "gateway");
    /** Who a network policy lets connect. */
    static final String ANYONE = "anyone";
    static final String GATEWAY = "the gateway";
    static final String PROMETHEUS = "Prometheus";

    @Test
    void everyFileDockerComposeMountsExistsAndEveryBuiltModuleToo() {
        Map<String, Map<String, Object>> services = DockerCompose.services();
        assertThat(services).containsKeys("mosquitto", "kafka", "kafka-init", "mongodb", "prometheus", "grafana");
        assertThat(services).containsKeys(SERVICES.toArray(String[]::new));
        services.forEach((name, service) -> {
            for (Object volume : (List<?>) service.getOrDefault("volumes", List.of())) {
                String source = volume.toString().split(":")[0];
                if (source.startsWith("./")) {
                    assertThat(Repository.file(source.substring(2))).as("%s mounts %s", name, source).exists();
                }
            }
            if (service.get("build") instanceof Map<?, ?> build) {
                assertThat(Repository.file((String) build.get("dockerfile"))).exists();
                Map<?, ?> args = (Map<?, ?>) build.get("args");
                assertThat(Repository.file(args.get("MODULE") + "/pom.xml")).as("module of %s", name).exists();
                assertThat(DockerCompose.containerPorts(name)).as("port of %s", name).contains(Integer.parseInt((String) args.get("PORT")));
            }
        });
        String dockerfile = Repository.read("infra/docker/Dockerfile");
        assertThat(dockerfile).contains("USER tiltfleet", "HEALTHCHECK", "/actuator/health/readiness", "LOGGING_STRUCTURED_FORMAT_CONSOLE=ecs");
    }

    @Test
    void everyWorkloadHasProbesResourcesAnAutoscalerWithinThePartitionsAndADisruptionBudget() throws IOException {
        List<Map<String, Object>> manifests = manifests();
        int partitions = KafkaTopicsTest.listed().stream().filter(topic -> topic.name().equals("telemetry.readings.v1"))
                .findFirst().orElseThrow().partitions();
        for (String service : SERVICES) {
            Map<String, Object> workload = find(manifests, List.of("Deployment", "StatefulSet"), service);
            Map<String, Object> container = firstAt(workload, "spec", "template", "spec", "containers");
            int port = (Integer) firstAt(container, "ports").get("containerPort");
            assertThat(DockerCompose.containerPorts(service)).as("port of %s", service).contains(port);
            assertThat(path(container, "livenessProbe", "httpGet", "path")).isEqualTo("/actuator/health/liveness");
            assertThat(path(container, "readinessProbe", "httpGet", "path")).isEqualTo("/actuator/health/readiness");
            assertThat(mapAt(container, "resources", "requests")).containsKeys("cpu", "memory");
            assertThat(mapAt(container, "resources", "limits")).containsKey("memory");
            assertThat(path(workload, "spec", "template", "metadata", "annotations", "prometheus.io/path")).isEqualTo("/actuator/prometheus");

            Map<String, Object> autoscaler = find(manifests, List.of("HorizontalPodAutoscaler"), service);
            assertThat(path(autoscaler, "spec", "scaleTargetRef", "kind")).isEqualTo(workload.get("kind"));
            assertThat(path(autoscaler, "spec", "scaleTargetRef", "name")).isEqualTo(service);
            if (service.endsWith("-service") && !service.equals("ingest-service")) {
                assertThat((Integer) path(autoscaler, "spec", "maxReplicas")).as("%s consumers beyond the partitions idle", service)
                        .isLessThanOrEqualTo(partitions);
            }
            Map<String, Object> budget = find(manifests, List.of("PodDisruptionBudget"), service);
            Map<String, Object> selected = mapAt(workload, "spec", "selector", "matchLabels");
            assertThat(mapAt(budget, "spec", "selector", "matchLabels")).isEqualTo(selected);
            assertThat(mapAt(workload, "spec", "template", "metadata", "labels")).containsAllEntriesOf(selected);
        }
    }

    @Test
    void onlyTheGatewayMosquittoAndGrafanaArePublishedOnTheHost() {
        Map<String, List<Integer>> published = new TreeMap<>();
        DockerCompose.services().keySet().forEach(service -> {
            if (!DockerCompose.publishedPorts(service).isEmpty()) {
                published.put(service, DockerCompose.publishedPorts(service));
            }
        });

        // Kafka, MongoDB, Prometheus, the services and the gateway's management port stay inside the compose network
        assertThat(published).isEqualTo(Map.of("gateway", List.of(8080), "mosquitto", List.of(1883), "grafana", List.of(3000)));
    }

    @Test
    void prometheusAndTheProbesFindTheGatewayOnItsManagementPort() throws IOException {
        Map<String, Map<String, Object>> gatewayConfig = new Yaml().load(Repository.read("gateway/src/main/resources/gateway.yml"));
        int management = (Integer) path(gatewayConfig.get("management"), "server", "port");
        Map<String, List<Map<String, Object>>> prometheus = new Yaml().load(Repository.read("infra/prometheus/prometheus.yml"));

        assertThat(prometheus.get("scrape_configs")).filteredOn(job -> job.get("job_name").equals("gateway")).singleElement()
                .satisfies(job -> assertThat(job.toString()).contains("targets=[gateway:" + management + "]"));
        assertThat(DockerCompose.containerPorts("gateway")).contains(management);
        assertThat(DockerCompose.publishedPorts("gateway")).doesNotContain(management);
        assertThat(DockerCompose.services().get("gateway").get("healthcheck").toString()).contains("127.0.0.1/" + management);

        Map<String, Object> workload = find(manifests(), List.of("Deployment"), "gateway");
        Map<String, Object> container = firstAt(workload, "spec", "template", "spec", "containers");
        assertThat(containerPorts(container)).containsEntry("management", management);
        assertThat(path(workload, "spec", "template", "metadata", "annotations", "prometheus.io/port")).isEqualTo(String.valueOf(management));
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            assertThat(path(container, probe, "httpGet", "port")).as(probe).isEqualTo("management");
        }
    }

    @Test
    void networkPoliciesLetOnlyTheGatewayReachTheServicesAndPrometheusTheirMetrics() throws IOException {
        List<Map<String, Object>> manifests = manifests();
        List<Map<String, Object>> policies = manifests.stream().filter(manifest -> "NetworkPolicy".equals(manifest.get("kind"))).toList();
        Map<String, Map<Integer, Set<String>>> expected = Map.of(
                // workload                  port -> who may connect
                "gateway", Map.of(8080, Set.of(ANYONE), 8090, Set.of(PROMETHEUS)),
                "safety-alert-service", Map.of(8082, Set.of(GATEWAY, PROMETHEUS)),
                "analytics-service", Map.of(8083, Set.of(GATEWAY, PROMETHEUS)),
                "ingest-service", Map.of(8081, Set.of(PROMETHEUS)));     // no API at all

        // Given nothing connects unless a policy lets it
        assertThat(policies).anySatisfy(policy -> {
            assertThat(mapAt(policy, "spec", "podSelector")).isEmpty();
            assertThat(path(policy, "spec", "policyTypes")).isEqualTo(List.of("Ingress"));
            assertThat(path(policy, "spec", "ingress")).isNull();
        });
        Map<String, Object> gatewayLabels = mapAt(find(manifests, List.of("Deployment"), "gateway"), "spec", "selector", "matchLabels");
        for (String service : SERVICES) {
            Map<String, Object> workload = find(manifests, List.of("Deployment", "StatefulSet"), service);
            Map<String, Object> labels = mapAt(workload, "spec", "selector", "matchLabels");
            Map<String, Integer> ports = containerPorts(firstAt(workload, "spec", "template", "spec", "containers"));
            Map<Integer, Set<String>> allowed = new TreeMap<>();
            for (Map<String, Object> policy : policies) {
                if (labels.equals(mapAt(policy, "spec", "podSelector").get("matchLabels"))) {
                    assertThat(path(policy, "spec", "policyTypes")).isEqualTo(List.of("Ingress"));
                    @SuppressWarnings("unchecked")
                    List<Map<String, Object>> rules = (List<Map<String, Object>>) path(policy, "spec", "ingress");
                    rules.forEach(rule -> allowed(rule, ports, gatewayLabels).forEach((port, who) ->
                            allowed.computeIfAbsent(port, p -> new TreeSet<>()).addAll(who)));
                }
            }

            // Then exactly these may connect, on ports the pod listens on, Prometheus where the pod says its metrics are
            assertThat(allowed).as("who may connect to %s", service).isEqualTo(expected.get(service));
            assertThat(ports.values()).as("ports of %s", service).containsAll(allowed.keySet());
            int metrics = Integer.parseInt((String) path(workload, "spec", "template", "metadata", "annotations", "prometheus.io/port"));
            assertThat(allowed.get(metrics)).as("Prometheus scraping %s on %d", service, metrics).contains(PROMETHEUS);
        }
        // And the gateway may reach each service where its routes send it
        Map<String, Object> infrastructure = find(manifests, List.of("ConfigMap"), "tiltfleet-infrastructure");
        for (String route : List.of("TILTFLEET_GATEWAY_SAFETY_URI", "TILTFLEET_GATEWAY_ANALYTICS_URI")) {
            URI upstream = URI.create((String) path(infrastructure, "data", route));
            assertThat(expected.get(upstream.getHost()).get(upstream.getPort())).as(route).contains(GATEWAY);
        }
    }

    /** One ingress rule as port -> who: no "from" is anyone; a peer is the gateway's pods, Prometheus, or named as found. */
    @SuppressWarnings("unchecked")
    private static Map<Integer, Set<String>> allowed(Map<String, Object> rule, Map<String, Integer> ports, Map<String, Object> gatewayLabels) {
        Set<String> who = new TreeSet<>();
        List<Map<String, Object>> peers = (List<Map<String, Object>>) rule.get("from");
        if (peers == null || peers.isEmpty()) {
            who.add(ANYONE);
        } else {
            for (Map<String, Object> peer : peers) {
                Object pods = peer.get("podSelector") instanceof Map<?, ?> selector ? selector.get("matchLabels") : null;
                if (!peer.containsKey("namespaceSelector") && gatewayLabels.equals(pods)) {
                    who.add(GATEWAY);
                } else if (peer.containsKey("namespaceSelector") && pods instanceof Map<?, ?> labels
                        && "prometheus".equals(labels.get("app.kubernetes.io/name"))) {
                    who.add(PROMETHEUS);
                } else {
                    who.add(peer.toString());
                }
            }
        }
        List<Map<String, Object>> rulePorts = (List<Map<String, Object>>) rule.get("ports");
        assertThat(rulePorts).as("a rule without ports opens every port: %s", rule).isNotEmpty();
        Map<Integer, Set<String>> allowed = new TreeMap<>();
        rulePorts.forEach(port -> allowed.put(port.get("port") instanceof Integer number ? number : ports.get((String) port.get("port")), who));
        return allowed;
    }

    /** A container's ports by name. */
    @SuppressWarnings("unchecked")
    private static Map<String, Integer> containerPorts(Map<String, Object> container) {
        Map<String, Integer> ports = new TreeMap<>();
        ((List<Map<String, Object>>) container.get("ports")).forEach(port -> ports.put((String) port.get("name"), (Integer) port.get("containerPort")));
        return ports;
    }

    private static List<Map<String, Object>> manifests() throws IOException {
        List<Map<String, Object>> documents = new ArrayList<>();
        try (Stream<Path> files = Files.list(Repository.file("infra/k8s"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                for (Object document : new Yaml().loadAll(Files.readString(file))) {
                    if (document != null) {
                        @SuppressWarnings("unchecked")
                        Map<String, Object> manifest = (Map<String, Object>) document;
                        documents.add(manifest);
                    }
                }
            }
        }
        return documents;
    }

    private static Map<String, Object> find(List<Map<String, Object>> manifests, List<String> kinds, String name) {
        return manifests.stream().filter(m -> kinds.contains(m.get("kind")) && name.equals(path(m, "metadata", "name")))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kinds + " named " + name + " in infra/k8s"));
    }

    @SuppressWarnings("unchecked")
    private static Object path(Map<String, Object> map, String... keys) {
        Object current = map;
        for (String key : keys) {
            current = ((Map<String, Object>) Objects.requireNonNull(current, "missing before " + key)).get(key);
        }
        return current;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> mapAt(Map<String, Object> map, String... keys) {
        return (Map<String, Object>) path(map, keys);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> firstAt(Map<String, Object> map, String... keys) {
        return ((List<Map<String, Object>>) path(map, keys)).get(0);
    }
}
