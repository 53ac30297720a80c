package io.tiltfleet.deployment;

import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;

/** The services of the repository's {@code docker-compose.yml}, as YAML maps. */
final class DockerCompose {

    private DockerCompose() {
    }

    static Map<String, Map<String, Object>> services() {
        Map<String, Map<String, Map<String, Object>>> compose = new Yaml().load(Repository.read("docker-compose.yml"));
        return compose.get("services");
    }

    /** The container ports a service publishes ("host:container" entries). */
    static List<Integer> containerPorts(String service) {
        @SuppressWarnings("unchecked")
        List<String> ports = (List<String>) services().get(service).getOrDefault("ports", List.of());
        return ports.stream().map(port -> Integer.parseInt(port.substring(port.lastIndexOf(':') + 1))).toList();
    }
}
