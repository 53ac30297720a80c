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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * docker-compose and the Kubernetes manifests agree with the repository: every file they mount exists,
 * every service is built from a module that exists, each workload has probes, resources, an autoscaler
 * and a disruption budget, and no consumer scales past the partitions it shares; nothing but the gateway,
 * the MQTT broker and Grafana is published, and the network policies let only the gateway reach the
 * services (and the notification service the safety service), Prometheus their metrics, and the notification
 * service nothing but its infrastructure, the safety service and public addresses.
 */
class DeploymentFilesTest {

    static final String NOTIFICATION_SERVICE = "notification-service";
    static final List<String> SERVICES = List.of("ingest-service", "safety-alert-service", "analytics-service", NOTIFICATION_SERVICE, "gateway");
    /** Who a network policy lets connect. */
    static final String ANYONE = "anyone";
    static final String GATEWAY = "the gateway";
    static final String NOTIFICATION = "the notification service";
    static final String PROMETHEUS = "Prometheus";
    /** An http address of a service by its compose or Kubernetes Service name. */
    static final Pattern SERVICE_ADDRESS = Pattern.compile("^https?://([a-z0-9-]+):(\\d+)(/.*)?$");

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
    void everyServiceAddressInDockerComposeNamesAServiceOnAPortItListensOn() {
        Map<String, Map<String, Object>> services = DockerCompose.services();
        Map<String, String> addresses = new TreeMap<>();
        services.forEach((name, service) -> {
            if (service.get("environment") instanceof Map<?, ?> environment) {
                environment.forEach((variable, value) -> {
                    Matcher address = SERVICE_ADDRESS.matcher(String.valueOf(value));
                    if (address.matches() && services.containsKey(address.group(1))) {
                        addresses.put(name + " " + variable, address.group(1));
                        assertThat(DockerCompose.containerPorts(address.group(1))).as("%s of %s", variable, name)
                                .contains(Integer.parseInt(address.group(2)));
                    }
                });
            }
        });

        assertThat(addresses).containsEntry("gateway TILTFLEET_GATEWAY_NOTIFICATION_URI", NOTIFICATION_SERVICE)
                .containsEntry("notification-service TILTFLEET_NOTIFICATION_SAFETY_URI", "safety-alert-service");
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
                "safety-alert-service", Map.of(8082, Set.of(GATEWAY, NOTIFICATION, PROMETHEUS)),
                "analytics-service", Map.of(8083, Set.of(GATEWAY, PROMETHEUS)),
                NOTIFICATION_SERVICE, Map.of(8084, Set.of(GATEWAY, PROMETHEUS)),
                "ingest-service", Map.of(8081, Set.of(PROMETHEUS)));     // no API at all

        // Given nothing connects unless a policy lets it
        assertThat(policies).anySatisfy(policy -> {
            assertThat(mapAt(policy, "spec", "podSelector")).isEmpty();
            assertThat(path(policy, "spec", "policyTypes")).isEqualTo(List.of("Ingress"));
            assertThat(path(policy, "spec", "ingress")).isNull();
        });
        Map<Object, String> peers = Map.of(
                mapAt(find(manifests, List.of("Deployment"), "gateway"), "spec", "selector", "matchLabels"), GATEWAY,
                mapAt(find(manifests, List.of("Deployment"), NOTIFICATION_SERVICE), "spec", "selector", "matchLabels"), NOTIFICATION);
        for (String service : SERVICES) {
            Map<String, Object> workload = find(manifests, List.of("Deployment", "StatefulSet"), service);
            Map<String, Object> labels = mapAt(workload, "spec", "selector", "matchLabels");
            Map<String, Integer> ports = containerPorts(firstAt(workload, "spec", "template", "spec", "containers"));
            Map<Integer, Set<String>> allowed = new TreeMap<>();
            for (Map<String, Object> policy : policies) {
                if (labels.equals(mapAt(policy, "spec", "podSelector").get("matchLabels"))) {
                    // the notification service's egress is held too: it posts where its policies' editors say
                    assertThat(path(policy, "spec", "policyTypes"))
                            .isEqualTo(service.equals(NOTIFICATION_SERVICE) ? List.of("Ingress", "Egress") : List.of("Ingress"));
                    @SuppressWarnings("unchecked")
                    List<Map<String, Object>> rules = (List<Map<String, Object>>) path(policy, "spec", "ingress");
                    rules.forEach(rule -> allowed(rule, ports, peers).forEach((port, who) ->
                            allowed.computeIfAbsent(port, p -> new TreeSet<>()).addAll(who)));
                }
            }

            // Then exactly these may connect, on ports the pod listens on, Prometheus where the pod says its metrics are
            assertThat(allowed).as("who may connect to %s", service).isEqualTo(expected.get(service));
            assertThat(ports.values()).as("ports of %s", service).containsAll(allowed.keySet());
            int metrics = Integer.parseInt((String) path(workload, "spec", "template", "metadata", "annotations", "prometheus.io/port"));
            assertThat(allowed.get(metrics)).as("Prometheus scraping %s on %d", service, metrics).contains(PROMETHEUS);
        }
        // And the gateway may reach each service where its routes send it, the notification service the safety service
        Map<String, Object> infrastructure = find(manifests, List.of("ConfigMap"), "tiltfleet-infrastructure");
        Map<String, String> callers = Map.of("TILTFLEET_GATEWAY_SAFETY_URI", GATEWAY, "TILTFLEET_GATEWAY_ANALYTICS_URI", GATEWAY,
                "TILTFLEET_GATEWAY_NOTIFICATION_URI", GATEWAY, "TILTFLEET_NOTIFICATION_SAFETY_URI", NOTIFICATION);
        callers.forEach((variable, caller) -> {
            URI upstream = URI.create((String) path(infrastructure, "data", variable));
            assertThat(expected.get(upstream.getHost()).get(upstream.getPort())).as(variable).contains(caller);
        });
    }

    @Test
    void theNotificationServiceReachesItsInfrastructureTheSafetyServiceAndPublicAddressesOnly() throws IOException {
        List<Map<String, Object>> manifests = manifests();
        Map<String, Object> policy = find(manifests, List.of("NetworkPolicy"), NOTIFICATION_SERVICE);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rules = (List<Map<String, Object>>) path(policy, "spec", "egress");
        Map<String, Set<Integer>> reachable = new TreeMap<>();
        for (Map<String, Object> rule : rules) {
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> ports = (List<Map<String, Object>>) rule.get("ports");
            assertThat(ports).as("a rule without ports opens every port: %s", rule).isNotEmpty();
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> destinations = (List<Map<String, Object>>) rule.get("to");
            assertThat(destinations).as("a rule without destinations opens every address: %s", rule).isNotEmpty();
            for (Map<String, Object> destination : destinations) {
                reachable.computeIfAbsent(destinationOf(destination), d -> new TreeSet<>())
                        .addAll(ports.stream().map(port -> (Integer) port.get("port")).toList());
            }
        }

        // Then DNS, where the ConfigMap puts Kafka, MongoDB and the trace collector, the safety service, and public addresses
        Map<String, Object> data = mapAt(find(manifests, List.of("ConfigMap"), "tiltfleet-infrastructure"), "data");
        URI kafka = URI.create("kafka://" + data.get("SPRING_KAFKA_BOOTSTRAP_SERVERS"));
        URI mongo = URI.create(((String) data.get("SPRING_MONGODB_URI")).replaceFirst(",.*/", "/"));
        URI traces = URI.create((String) data.get("MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_OTLP_ENDPOINT"));
        URI safety = URI.create((String) data.get("TILTFLEET_NOTIFICATION_SAFETY_URI"));
        assertThat(reachable).isEqualTo(Map.of(
                "namespace kube-system", Set.of(53),
                "namespace " + namespaceOf(kafka), Set.of(kafka.getPort()),
                "namespace " + namespaceOf(mongo), Set.of(mongo.getPort()),
                "namespace " + namespaceOf(traces), Set.of(traces.getPort()),
                "pods " + safety.getHost(), Set.of(safety.getPort()),
                "public addresses", Set.of(443, 587)));
    }

    /** A namespace from an address in it: {@code service.namespace} or {@code pod.service.namespace}, maybe with {@code .svc...}. */
    private static String namespaceOf(URI address) {
        String host = address.getHost().replaceFirst("\\.svc(\\..*)?$", "");
        return host.substring(host.lastIndexOf('.') + 1);
    }

    /** An egress destination: a namespace, pods of this namespace by name, or every address but the private ones. */
    @SuppressWarnings("unchecked")
    private static String destinationOf(Map<String, Object> destination) {
        if (destination.get("ipBlock") instanceof Map<?, ?> block) {
            assertThat(block.get("cidr")).isEqualTo("0.0.0.0/0");
            assertThat((List<String>) block.get("except")).as("private, shared, link-local (cloud metadata) and loopback ranges")
                    .contains("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16", "127.0.0.0/8");
            return "public addresses";
        }
        if (destination.get("namespaceSelector") instanceof Map<?, ?> namespaces) {
            assertThat(destination).doesNotContainKey("podSelector");
            return "namespace " + ((Map<String, Object>) namespaces.get("matchLabels")).get("kubernetes.io/metadata.name");
        }
        return "pods " + mapAt(destination, "podSelector", "matchLabels").get("app.kubernetes.io/name");
    }

    /** One ingress rule as port -> who: no "from" is anyone; a peer is a workload of this namespace, Prometheus, or named as found. */
    @SuppressWarnings("unchecked")
    private static Map<Integer, Set<String>> allowed(Map<String, Object> rule, Map<String, Integer> ports, Map<Object, String> workloads) {
        Set<String> who = new TreeSet<>();
        List<Map<String, Object>> peers = (List<Map<String, Object>>) rule.get("from");
        if (peers == null || peers.isEmpty()) {
            who.add(ANYONE);
        } else {
            for (Map<String, Object> peer : peers) {
                Object pods = peer.get("podSelector") instanceof Map<?, ?> selector ? selector.get("matchLabels") : null;
                if (!peer.containsKey("namespaceSelector") && workloads.containsKey(pods)) {
                    who.add(workloads.get(pods));
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
