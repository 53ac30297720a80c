package io.tiltfleet.bench;

import io.tiltfleet.embedded.KafkaBroker;
import io.tiltfleet.embedded.KafkaBroker.Compilation;
import io.tiltfleet.embedded.MongoStandIn;
import io.tiltfleet.embedded.Ports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * The gateway's overhead: the same request (a fleet's live tables) sent by a closed loop of
 * concurrent clients straight to the safety-alert service and through the gateway (API key, roles,
 * rate limit, circuit breaker, routing), one after the other in one run. Both services run as
 * their own processes from their production jars; the clients run in this JVM, whose processor share is printed.
 *
 * <p>Usage: {@code GatewayBenchmark [concurrent clients] [seconds per run]}
 */
public final class GatewayBenchmark {

    private static final String PATH = "/api/fleet/bench/tables";

    private GatewayBenchmark() {
    }

    /** @param generatorShare the clients' own processor time, in % of one core */
    record Result(double requestsPerSecond, long p50Micros, long p99Micros, long failures, double generatorShare) {
    }

    private static final String GENERATOR_THREADS = "load-http";
    private static final int WARM_UP_SECONDS = 10;
    private static final int WARM_UP_ROUNDS = 18;
    private static final LoopResources GENERATOR_LOOP = LoopResources.create(GENERATOR_THREADS, 1, true);

    public static void main(String[] args) throws Exception {
        int clients = args.length > 0 ? Integer.parseInt(args[0]) : 32;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        Path scratch = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "gateway-bench-");
        System.out.printf("gateway benchmark: GET %s, %d concurrent clients, %d s per run, %d cores%n", PATH, clients, seconds,
                Runtime.getRuntime().availableProcessors());
        try (KafkaBroker kafka = KafkaBroker.start(scratch.resolve("kafka"), Ports.free(), 4, Compilation.LONG_RUNNING);
             MongoStandIn mongo = MongoStandIn.start(Ports.free())) {
            ServiceProcess safety = ServiceProcess.start("safety-alert-service", scratch, Ports.free(), "512m",
                    "--spring.kafka.bootstrap-servers=" + kafka.bootstrapServers(), "--spring.mongodb.uri=" + mongo.uri("tiltfleet"),
                    "--management.health.mongodb.enabled=false", "--spring.profiles.active=local");
            ServiceProcess gateway = ServiceProcess.start("gateway", scratch, Ports.free(), "512m", "--spring.profiles.active=local",
                    "--tiltfleet.gateway.safety-uri=http://127.0.0.1:" + safety.port, "--tiltfleet.gateway.rate-limit.requests=1000000");
            try {
                // both warmed up before anything is timed, until their compilers are nearly done: on two shared cores they
                // worked for more than a minute of load, which would be counted as the cost of the requests
                warmUp(safety, safety, clients, null);
                warmUp(gateway, safety, clients, "tf-viewer-local");
                Duration compilingBefore = safety.compilationTime().plus(gateway.compilationTime());
                Duration safetyBefore = safety.cpuTime();
                Result direct = run(safety.port, clients, seconds, null);
                Duration safetyDirect = safety.cpuTime().minus(safetyBefore);
                Duration gatewayBefore = gateway.cpuTime();
                safetyBefore = safety.cpuTime();
                Result through = run(gateway.port, clients, seconds, "tf-viewer-local");
                Duration gatewayCpu = gateway.cpuTime().minus(gatewayBefore);
                Duration safetyBehind = safety.cpuTime().minus(safetyBefore);
                System.out.printf("compilers of the gateway and the service during both runs: %.1f s of processor%n",
                        safety.compilationTime().plus(gateway.compilationTime()).minus(compilingBefore).toMillis() / 1000.0);
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

    /** Rounds of load until the JVMs' compilers used under a tenth of a core, or at most {@value #WARM_UP_ROUNDS} rounds. */
    private static void warmUp(ServiceProcess target, ServiceProcess behind, int clients, String apiKey) {
        for (int round = 1; round <= WARM_UP_ROUNDS; round++) {
            Duration before = target.compilationTime().plus(target == behind ? Duration.ZERO : behind.compilationTime());
            Result result = run(target.port, clients, WARM_UP_SECONDS, apiKey);
            Duration compiling = target.compilationTime().plus(target == behind ? Duration.ZERO : behind.compilationTime()).minus(before);
            System.out.printf("  warm-up round %d on port %d: %,.0f requests/s, compilers %.1f s of processor in %d s%n", round, target.port,
                    result.requestsPerSecond(), compiling.toMillis() / 1000.0, WARM_UP_SECONDS);
            if (compiling.toMillis() < WARM_UP_SECONDS * 100L) {
                return;
            }
        }
    }

    private static double perRequest(Duration cpu, Result result, int seconds) {
        return cpu.toNanos() / 1000.0 / (result.requestsPerSecond() * seconds);
    }

    private static void print(String what, Result result) {
        System.out.printf("%-32s %,9.0f requests/s   p50 %,6d us   p99 %,7d us   failures %d   generator %.0f%% of a core%n", what,
                result.requestsPerSecond(), result.p50Micros(), result.p99Micros(), result.failures(), result.generatorShare());
    }

    /**
     * Each client sends its next request when the previous one is answered. The clients share one event-loop thread and
     * a connection each (Reactor Netty), so that the generator takes little of the cores it shares with what it measures;
     * its own processor share is printed with each run.
     */
    private static Result run(int port, int clients, int seconds, String apiKey) {
        ConnectionProvider connections = ConnectionProvider.builder("gateway-bench").maxConnections(clients).pendingAcquireMaxCount(-1).build();
        HttpClient http = HttpClient.create(connections).runOn(GENERATOR_LOOP).baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(10)).headers(headers -> {
                    if (apiKey != null) {
                        headers.add("X-API-Key", apiKey);
                    }
                });
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        Map<String, Long> outcomes = new ConcurrentHashMap<>();
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        Duration generatorBefore = LoadConnections.processorTime(GENERATOR_THREADS);
        long started = System.nanoTime();
        Flux.range(0, clients).flatMap(client -> Mono.defer(() -> {
            long sent = System.nanoTime();
            return http.get().uri(PATH).responseSingle((response, body) -> body.then(Mono.just(response.status().code())))
                    .map(status -> status == 200 ? "" : "HTTP " + status)
                    .onErrorResume(failure -> Mono.just(failure.getClass().getSimpleName()))
                    .doOnNext(outcome -> {
                        latencies.add((System.nanoTime() - sent) / 1000);
                        if (!outcome.isEmpty()) {
                            outcomes.merge(outcome, 1L, Long::sum);
                        }
                    });
        }).repeat(() -> System.nanoTime() < deadline), clients).blockLast();
        double elapsed = (System.nanoTime() - started) / 1e9;
        double generatorShare = 100.0 * LoadConnections.processorTime(GENERATOR_THREADS).minus(generatorBefore).toNanos() / 1e9 / elapsed;
        connections.dispose();
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        if (!outcomes.isEmpty()) {
            System.out.println("  failures by kind: " + outcomes);
        }
        return new Result(sorted.size() / elapsed, ServiceProcess.percentile(sorted, 50), ServiceProcess.percentile(sorted, 99),
                outcomes.values().stream().mapToLong(Long::longValue).sum(), generatorShare);
    }
}
