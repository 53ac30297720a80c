package io.tiltfleet.bench;

import io.tiltfleet.embedded.LoopbackHttp;
import io.tiltfleet.embedded.ManagedProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A service run from its built jar as its own process, the way it runs in production, and what it reports. */
final class ServiceProcess {

    private static final Pattern METRIC_VALUE = Pattern.compile("\"statistic\":\"VALUE\",\"value\":([0-9.Ee+-]+)");

    final ManagedProcess process;
    final int port;

    private ServiceProcess(ManagedProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    /** A service's jar is in services/{name}/target, the gateway's in gateway/target. Extra JVM options for the services, such as a flight recording, come from TILTFLEET_SERVICE_JAVA_OPTS. */
    static ServiceProcess start(String name, Path scratch, int port, String heap, String... settings) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx" + heap));
        String extraOptions = System.getenv().getOrDefault("TILTFLEET_SERVICE_JAVA_OPTS", "").strip();
        if (!extraOptions.isEmpty()) {
            command.addAll(List.of(extraOptions.split("\\s+")));
        }
        Path module = Files.isDirectory(Path.of(name)) ? Path.of(name) : Path.of("services", name);
        command.addAll(List.of("-jar", module.resolve("target").resolve(name + "-0.1.0-SNAPSHOT-exec.jar").toString(), "--server.port=" + port,
                // the gateway serves its actuator on a port of its own: here on the one port the benchmark reads
                "--management.server.port=" + port, "--logging.level.root=WARN"));
        command.addAll(List.of(settings));
        ManagedProcess process = ManagedProcess.start(name, command, scratch.resolve(name + ".log"));
        process.awaitReady(() -> LoopbackHttp.isUp(port), Duration.ofSeconds(120));
        return new ServiceProcess(process, port);
    }

    /** The sum of a Prometheus counter's samples. */
    double counter(String name) {
        return counter(name, "");
    }

    /** The sum of a Prometheus counter's samples whose labels hold this text, such as {@code kind="telemetry"}. */
    double counter(String name, String label) {
        return sum(LoopbackHttp.get(port, "/actuator/prometheus"), name, label);
    }

    /** The sum of the samples of a metric in a Prometheus text exposition whose labels hold this text. */
    static double sum(String exposition, String name, String label) {
        return exposition.lines().filter(line -> (line.startsWith(name + "{") || line.startsWith(name + " ")) && line.contains(label))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    /** The value of one actuator metric, such as {@code jvm.memory.used?tag=area:heap}. */
    double metric(String nameAndTags) {
        Matcher value = METRIC_VALUE.matcher(LoopbackHttp.get(port, "/actuator/metrics/" + nameAndTags));
        return value.find() ? Double.parseDouble(value.group(1)) : Double.NaN;
    }

    /** Processor time its JIT compilers have used so far. */
    Duration compilationTime() {
        return ProcessStats.compilationTime(process.pid());
    }

    /** Resident memory now and at its peak since the start, in bytes. */
    long[] residentMemory() {
        return ProcessStats.residentMemory(process.pid());
    }

    /** Processor time the process has used so far, user and system. */
    Duration cpuTime() {
        return ProcessStats.cpuTime(process.pid());
    }

    void stop() {
        process.stop(Duration.ofSeconds(30));
    }

    static long percentile(List<Long> sorted, int percent) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(percent / 100.0 * sorted.size()) - 1));
    }
}
