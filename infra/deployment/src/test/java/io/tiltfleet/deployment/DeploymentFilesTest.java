package io.tiltfleet.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * docker-compose and the Kubernetes manifests agree with the repository: every file they mount exists,
 * every service is built from a module that exists, each workload has probes, resources, an autoscaler
 * and a disruption budget, and no consumer scales past the partitions it shares.
 */
class DeploymentFilesTest {

    static final List<String> SERVICES = List.of("ingest-service", "safety-alert-service", "analytics-service", "gateway");

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
