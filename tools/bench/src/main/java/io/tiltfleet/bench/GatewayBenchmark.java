package io.tiltfleet.bench;

import io.tiltfleet.embedded.KafkaBroker;
import io.tiltfleet.embedded.MongoStandIn;
import io.tiltfleet.embedded.Ports;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The gateway's overhead: the same request (a fleet's live tables) sent by a closed loop of
 * concurrent clients straight to the safety-alert service and through the gateway (API key, roles,
 * rate limit, circuit breaker, routing), one after the other in one run. Both services run as
 * their own processes from their production jars.
 *
 * <p>Usage: {@code GatewayBenchmark [concurrent clients] [seconds per run]}
 */
public final class GatewayBenchmark {

    private static final String PATH = "/api/fleet/bench/tables";

    private GatewayBenchmark() {
    }

    record Result(double requestsPerSecond, long p50Micros, long p99Micros, long failures) {
    }

    public static void main(String[] args) throws Exception {
        int clients = args.length > 0 ? Integer.parseInt(args[0]) : 32;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        Path scratch = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "gateway-bench-");
        System.out.printf("gateway benchmark: GET %s, %d concurrent clients, %d s per run, %d cores%n", PATH, clients, seconds,
                Runtime.getRuntime().availableProcessors());
        try (KafkaBroker kafka = KafkaBroker.start(scratch.resolve("kafka"), Ports.free(), 4);
             MongoStandIn mongo = MongoStandIn.start(Ports.free())) {
            ServiceProcess safety = ServiceProcess.start("safety-alert-service", scratch, Ports.free(), "512m",
                    "--spring.kafka.bootstrap-servers=" + kafka.bootstrapServers(), "--spring.mongodb.uri=" + mongo.uri("tiltfleet"),
                    "--management.health.mongodb.enabled=false", "--spring.profiles.active=local");
            ServiceProcess gateway = ServiceProcess.start("gateway", scratch, Ports.free(), "512m", "--spring.profiles.active=local",
                    "--tiltfleet.gateway.safety-uri=http://127.0.0.1:" + safety.port, "--tiltfleet.gateway.rate-limit.requests=1000000");
            try {
                run(safety.port, clients, 5, null);      // both warmed up before anything is timed
                run(gateway.port, clients, 5, "tf-viewer-local");
                Duration safetyBefore = safety.cpuTime();
                Result direct = run(safety.port, clients, seconds, null);
                Duration safetyDirect = safety.cpuTime().minus(safetyBefore);
                Duration gatewayBefore = gateway.cpuTime();
                safetyBefore = safety.cpuTime();
                Result through = run(gateway.port, clients, seconds, "tf-viewer-local");
                Duration gatewayCpu = gateway.cpuTime().minus(gatewayBefore);
                Duration safetyBehind = safety.cpuTime().minus(safetyBefore);
                print("straight to the safety service", direct);
                print("through the gateway", through);
                System.out.printf("processor time per request: safety service %.0f us direct, %.0f us behind the gateway; gateway %.0f us%n",
                        perRequest(safetyDirect, direct, seconds), perRequest(safetyBehind, through, seconds), perRequest(gatewayCpu, through, seconds));
                System.out.printf("gateway / direct: %.2fx the throughput, p50 +%d us, p99 +%d us%n",
                        through.requestsPerSecond() / direct.requestsPerSecond(), through.p50Micros() - direct.p50Micros(),
                        through.p99Micros() - direct.p99Micros());
            } finally {
                gateway.stop();
                safety.stop();
            }
        }
    }

    private static double perRequest(Duration cpu, Result result, int seconds) {
        return cpu.toNanos() / 1000.0 / (result.requestsPerSecond() * seconds);
    }

    private static void print(String what, Result result) {
        System.out.printf("%-32s %,9.0f requests/s   p50 %,6d us   p99 %,7d us   failures %d%n", what, result.requestsPerSecond(),
                result.p50Micros(), result.p99Micros(), result.failures());
    }

    /** Each client sends its next request when the previous one is answered. */
    private static Result run(int port, int clients, int seconds, String apiKey) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + PATH)).timeout(Duration.ofSeconds(10));
        HttpRequest request = apiKey == null ? builder.build() : builder.header("X-API-Key", apiKey).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        AtomicLong failures = new AtomicLong();
        Map<String, Long> outcomes = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<CompletableFuture<List<Long>>> runs = new ArrayList<>();
        long started = System.nanoTime();
        for (int i = 0; i < clients; i++) {
            runs.add(CompletableFuture.supplyAsync(() -> {
                List<Long> latencies = new ArrayList<>();
                while (System.nanoTime() < deadline) {
                    long sent = System.nanoTime();
                    try {
                        int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                        if (status != 200) {
                            failures.incrementAndGet();
                            outcomes.merge("HTTP " + status, 1L, Long::sum);
                        }
                    } catch (Exception e) {
                        failures.incrementAndGet();
                        outcomes.merge(e.getClass().getSimpleName(), 1L, Long::sum);
                    }
                    latencies.add((System.nanoTime() - sent) / 1000);
                }
                return latencies;
            }, pool));
        }
        List<Long> all = new ArrayList<>();
        runs.forEach(run -> all.addAll(run.join()));
        double elapsed = (System.nanoTime() - started) / 1e9;
        pool.shutdown();
        Collections.sort(all);
        if (!outcomes.isEmpty()) {
            System.out.println("  failures by kind: " + outcomes);
        }
        return new Result(all.size() / elapsed, ServiceProcess.percentile(all, 50), ServiceProcess.percentile(all, 99), failures.get());
    }
}
