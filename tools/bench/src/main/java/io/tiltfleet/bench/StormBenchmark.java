package io.tiltfleet.bench;

import io.tiltfleet.embedded.KafkaBroker;
import io.tiltfleet.embedded.KafkaBroker.Compilation;
import io.tiltfleet.embedded.LoopbackHttp;
import io.tiltfleet.embedded.MongoStandIn;
import io.tiltfleet.embedded.MosquittoBroker;
import io.tiltfleet.embedded.Ports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * An alert storm: a site's tables, all with someone inverted, fall silent at once (its network gone),
 * while another fleet's tables go on reporting. Measures how long after each table's silence became
 * due its alert reached the fleet's event stream, how many of them were stored, and what the probes of
 * the other fleet took meanwhile, against the same probes before the storm in the same run.
 *
 * <p>Usage: {@code StormBenchmark [tables falling silent, default 1000] [readings/s of the others, default 2000]}
 */
public final class StormBenchmark {

    private static final String SITE = "storm";
    /** The safety service's default silence timeout (safety-alert-service.yml), which the site's fleet keeps. */
    private static final Duration SILENCE_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration CALM = Duration.ofSeconds(30);
    /**
     * Warm-up rounds of the other fleet's load until the JVMs' compilers rest ({@link CompilerRest}), as in
     * the pipeline benchmark; the first also rehearses the storm with a fleet of its own, so that the code a
     * storm runs is compiled before the timed one (a fixed 60 s of the others' load alone left it to be
     * compiled during the storm).
     */
    private static final Duration WARM_UP_ROUND = Duration.ofSeconds(60);
    /** How long the site's tables report before they fall silent: their sessions are open and inverted. */
    private static final Duration SITE_REPORTS = Duration.ofSeconds(15);
    /** After the silence, how long the other fleet's probes go on and the site's alerts are waited for. */
    private static final Duration STORM_WATCHED = Duration.ofSeconds(30);

    private StormBenchmark() {
    }

    /** A probe of the other fleet: when it was sent, and its publish-to-stream latency. */
    private record Probe(long sentNanos, long streamMillis) {
    }

    public static void main(String[] args) throws Exception {
        int siteTables = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int othersRate = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        Path scratch = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "storm-bench-");
        System.out.printf("storm benchmark: %d tables of fleet '%s' fall silent at once while %d other tables report once a second; %d cores%n",
                siteTables, SITE, othersRate, Runtime.getRuntime().availableProcessors());
        try (MosquittoBroker mqtt = MosquittoBroker.start(scratch.resolve("mosquitto"));
             KafkaBroker kafka = KafkaBroker.start(scratch.resolve("kafka"), Ports.free(), 12, Compilation.LONG_RUNNING);
             MongoStandIn mongo = MongoStandIn.start(Ports.free());
             PipelineServices services = PipelineServices.start(scratch, mqtt, kafka, mongo);
             AlertProbe probe = new AlertProbe(mqtt.uri(), kafka.bootstrapServers(), services.safety().port, services.notification().port, PROBE_TIMEOUT);
             FleetLoad others = FleetLoad.start(mqtt.uri(), AlertProbe.FLEET, othersRate, IngestBenchmark.PUBLISHING_CONNECTIONS, othersRate);
             AlertStream siteStream = AlertStream.open(services.safety().port, "/api/fleet/" + SITE + "/stream")) {
            warmUp(mqtt, services, services.pids(mqtt, kafka), siteTables);
            List<Probe> calm = probe(probe, CALM);
            FleetLoad site = FleetLoad.start(mqtt.uri(), SITE, siteTables, IngestBenchmark.PUBLISHING_CONNECTIONS, siteTables);
            Thread.sleep(SITE_REPORTS.toMillis());

            Map<String, Duration> cpuBefore = PipelineBenchmark.cpu(services.pids(mqtt, kafka));
            Duration generatorBefore = LoadConnections.processorTime(PipelineBenchmark.BENCHMARK_THREADS);
            Instant windowStart = Instant.now();
            Map<String, Long> lastReading = site.abandon();
            List<Probe> storm = probe(probe, STORM_WATCHED);
            double window = Duration.between(windowStart, Instant.now()).toMillis() / 1000.0;
            Map<String, Duration> cpuAfter = PipelineBenchmark.cpu(services.pids(mqtt, kafka));
            double generatorShare = PipelineBenchmark.share(LoadConnections.processorTime(PipelineBenchmark.BENCHMARK_THREADS).minus(generatorBefore), window);
            double platformShare = cpuAfter.keySet().stream().mapToDouble(name -> PipelineBenchmark.share(cpuAfter.get(name).minus(cpuBefore.get(name)), window)).sum()
                    - generatorShare;

            Map<String, Long> arrived = siteStream.arrived();
            long firstDue = lastReading.values().stream().mapToLong(Long::longValue).min().orElseThrow() + SILENCE_TIMEOUT.toNanos();
            long lastDue = lastReading.values().stream().mapToLong(Long::longValue).max().orElseThrow() + SILENCE_TIMEOUT.toNanos();
            List<Long> afterDue = new ArrayList<>();
            lastReading.forEach((table, last) -> {
                Long arrival = arrived.get(table);
                if (arrival != null) {
                    afterDue.add((arrival - last - SILENCE_TIMEOUT.toNanos()) / 1_000_000);
                }
            });
            Collections.sort(afterDue);
            long lastArrival = arrived.values().stream().mapToLong(Long::longValue).max().orElse(firstDue);
            // the other fleet's probes sent while the storm's alerts were due or on their way
            List<Long> during = storm.stream().filter(p -> p.sentNanos() >= firstDue - 1_000_000_000L && p.sentNanos() <= lastArrival)
                    .map(Probe::streamMillis).sorted().toList();
            List<Long> before = calm.stream().map(Probe::streamMillis).sorted().toList();

            System.out.printf("  silence due over %d ms (the tables' last readings were a second's round apart)%n", (lastDue - firstDue) / 1_000_000);
            // due: the table's last reading published + the timeout; the service times it from the reading's record, a few ms later
            System.out.printf("  site alerts on the stream: %d/%d, stored: %d; of those on the stream, after the table's silence was due: p50 %d ms,"
                            + " p99 %d ms, max %d ms; the last %d ms after the first was due%n", afterDue.size(), siteTables, storedSilenceAlerts(services.safety().port, SITE),
                    percentile(afterDue, 50), percentile(afterDue, 99), afterDue.isEmpty() ? -1 : afterDue.get(afterDue.size() - 1),
                    (lastArrival - firstDue) / 1_000_000);
            System.out.printf("  the other fleet's probes, publish to stream: before the storm p50 %d ms p99 %d ms (%d probes); during it p50 %d ms"
                            + " p99 %d ms max %d ms (%d probes), p99 %.1fx the calm one%n", percentile(before, 50),
                    percentile(before, 99), before.size(), percentile(during, 50), percentile(during, 99),
                    during.isEmpty() ? -1 : during.get(during.size() - 1), during.size(),
                    (double) percentile(during, 99) / Math.max(1, percentile(before, 99)));
            System.out.printf("  processor over the %.0f s after the silence: platform %.0f%% of a core, generator and probe readers %.0f%%%n",
                    window, platformShare, generatorShare);
        }
    }

    private static void warmUp(MosquittoBroker mqtt, PipelineServices services, Map<String, Long> pids, int siteTables) throws Exception {
        String rehearsalFleet = SITE + "-rehearsal";
        CompilerRest.warmUp("the JVMs'", () -> PipelineBenchmark.compilation(pids), round -> {
            Instant start = Instant.now();
            if (round == 1) {
                FleetLoad rehearsal = FleetLoad.start(mqtt.uri(), rehearsalFleet, siteTables, IngestBenchmark.PUBLISHING_CONNECTIONS, siteTables);
                try {
                    Thread.sleep(SITE_REPORTS.toMillis());
                } finally {
                    rehearsal.abandon();
                }
            }
            Thread.sleep(Math.max(0, WARM_UP_ROUND.minus(Duration.between(start, Instant.now())).toMillis()));
            return round == 1 ? String.format(", with a rehearsed storm (%d of %d silence alerts stored)",
                    storedSilenceAlerts(services.safety().port, rehearsalFleet), siteTables) : "";
        });
    }

    /** One probe a second for this long. */
    private static List<Probe> probe(AlertProbe probe, Duration duration) throws InterruptedException {
        List<Probe> probes = new ArrayList<>();
        Instant end = Instant.now().plus(duration);
        while (Instant.now().isBefore(end)) {
            long sent = System.nanoTime();
            AlertProbe.Latency latency = probe.measure();
            probes.add(new Probe(sent, latency.stream()));
            Thread.sleep(Math.max(0, 1000 - Math.max(latency.stream(), latency.webhook())));
        }
        return probes;
    }

    /** -1 when nothing was measured. */
    private static long percentile(List<Long> sorted, int percent) {
        return sorted.isEmpty() ? -1 : ServiceProcess.percentile(sorted, percent);
    }

    /** The site's silence alerts in the alert store, a page of 1,000 (the API's largest) at a time. */
    private static int storedSilenceAlerts(int safetyPort, String fleetId) {
        int stored = 0;
        for (int page = 0; ; page++) {
            String alerts = LoopbackHttp.get(safetyPort, "/api/alerts?fleetId=" + fleetId + "&type=SILENT_WHILE_INVERTED&size=1000&page=" + page);
            int onPage = alerts.split("\"type\":\"SILENT_WHILE_INVERTED\"", -1).length - 1;
            stored += onPage;
            if (onPage < 1000) {
                return stored;
            }
        }
    }
}
