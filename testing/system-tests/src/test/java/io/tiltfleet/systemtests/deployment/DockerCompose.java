package io.tiltfleet.systemtests.deployment;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.yaml.snakeyaml.Yaml;

/** The services of the repository's {@code docker-compose.yml}, as YAML maps. */
final class DockerCompose {

    private DockerCompose() {
    }

    static Map<String, Map<String, Object>> services() {
        Map<String, Map<String, Map<String, Object>>> compose = new Yaml().load(Repository.read("docker-compose.yml"));
        return compose.get("services");
    }

    /** The container ports a service publishes on the host ("host:container" entries of {@code ports}). */
    static List<Integer> publishedPorts(String service) {
        return entries(service, "ports").stream().map(port -> Integer.parseInt(port.substring(port.lastIndexOf(':') + 1))).toList();
    }

    /** The container ports a service listens on for others: published on the host, or only to the compose network ({@code expose}). */
    static List<Integer> containerPorts(String service) {
        return Stream.concat(publishedPorts(service).stream(), entries(service, "expose").stream().map(Integer::parseInt)).toList();
    }

    @SuppressWarnings("unchecked")
    private static List<String> entries(String service, String key) {
        return ((List<Object>) services().get(service).getOrDefault(key, List.of())).stream().map(Object::toString).toList();
    }
}
