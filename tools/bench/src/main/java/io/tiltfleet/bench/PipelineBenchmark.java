package io.tiltfleet.bench;

import io.tiltfleet.contract.Topics;
import io.tiltfleet.embedded.KafkaBroker;
import io.tiltfleet.embedded.KafkaBroker.Compilation;
import io.tiltfleet.embedded.MongoStandIn;
import io.tiltfleet.embedded.MosquittoBroker;
import io.tiltfleet.embedded.Ports;
import io.tiltfleet.embedded.TopicReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The whole pipeline at increasing load: tables publish over MQTT to Mosquitto, the ingest forwards to
 * Kafka, the safety-alert and analytics services consume, each a process of its own from its
 * production jar. Each step holds one load (one reading per table per second) and measures what was
 * offered and ingested, publish-to-alert latency from probe tables (to the event stream, and to a
 * webhook through the notification service), the consumers' lag, processor and
 * memory per process, and the readings lost: acknowledged by Mosquitto but not in Kafka once the step
 * has drained. The baselines (Mosquitto alone, a Kafka producer alone) are measured in the same run,
 * on the same brokers, before the services start. It names the highest step held, with every step below
 * it held too ({@link Step#held()}), and what the first step that did not hold missed; idle steps
 * (0 readings/s) are judged each on its own.
 *
 * <p>Usage: {@code PipelineBenchmark [readings/s per step, comma-separated] [seconds per step]}
 */
public final class PipelineBenchmark {

    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);
    private static final long P99_TARGET_MS = 250;
    /** A consumer further behind than this many seconds of a step's readings does not keep up with it. */
    private static final int MAX_BEHIND_SECONDS = 5;
    private static final String INGESTED_READINGS = "tiltfleet_ingest_messages_forwarded_total";
    private static final String RULES_DONE = "tiltfleet_safety_readings_processed_total";
    private static final String ANALYTICS_DONE = "tiltfleet_analytics_readings_consumed_total";
    private static final int WARM_UP_SECONDS = 60;
    /** Threads of this JVM that belong to the benchmark, not to the platform: the generator's ticker and the probes' readers. */
    static final String[] BENCHMARK_THREADS = {FleetLoad.TICKER_THREAD, ProbeRecords.THREAD_PREFIX};

    private PipelineBenchmark() {
    }

    /**
     * @param safetyLag           the highest lag the rules' consumer reported, sampled once per probe: a consumer stuck on a batch
     *                            keeps reporting its last lag
     * @param analyticsLag        the same from the analytics' gauge, which is set at its commits from the consumer's cached end offsets
     *                            and read 0 while it was 619,687 readings behind
     * @param rulesBehind         at the step's end, readings the ingest has stored since the services started less those the rules
     *                            have run through, by the services' own counters, which move only once the work is done (a reading
     *                            run through again after a failure or a rebalance counts again)
     * @param analyticsBehind     the same for the analytics service
     * @param platformShare       processor of every process but the load generator and the probes' record readers, in % of one core (the
     *                            benchmark's JVM counts for the MongoDB stand-in and the probe)
     */
    record Step(int rate, double offered, double ingested, long readingP99, long recordP50, long recordP99, long p50, long p99, long webhookP99, long lost,
                long safetyLag, long analyticsLag, long rulesBehind, long analyticsBehind,
                int probes, int probesArrived, int webhooksArrived, int streamCuts, double platformShare, Map<String, String> processes) {

        /** Processor microseconds the platform spent per reading ingested. */
        double microsPerReading() {
            return platformShare / 100 * 1_000_000 / ingested;
        }

        /** No loss, every probe on the stream at p99 under the target, and both consumers keeping up with the readings. */
        boolean held() {
            return missed().isEmpty();
        }

        /** Why the step was not held; empty when it was. */
        List<String> missed() {
            List<String> missed = new ArrayList<>();
            if (lost > 0) {
                missed.add(String.format(Locale.ROOT, "%,d readings lost", lost));
            }
            if (probesArrived < probes) {
                missed.add((probes - probesArrived) + " of " + probes + " probes not on the stream");
            }
            if (p99 >= P99_TARGET_MS) {
                missed.add(String.format(Locale.ROOT, "stream p99 %,d ms", p99));
            }
            // what was asked, or at idle what came in (the probes' readings); either sign of falling behind counts
            double allowed = Math.max(rate, ingested) * MAX_BEHIND_SECONDS;
            if (safetyLag > allowed || rulesBehind > allowed) {
                missed.add(String.format(Locale.ROOT, "the rules behind (lag up to %,d, %,d readings not done at the end)", safetyLag, rulesBehind));
            }
            if (analyticsLag > allowed || analyticsBehind > allowed) {
                missed.add(String.format(Locale.ROOT, "the analytics behind (lag up to %,d, %,d readings not done at the end)", analyticsLag, analyticsBehind));
            }
            return missed;
        }
    }

    record Pipeline(MosquittoBroker mqtt, KafkaBroker kafka, ServiceProcess ingest, ServiceProcess safety, ServiceProcess analytics,
                    AlertProbe probe, Map<String, Long> pids) {
    }

    public static void main(String[] args) throws Exception {
        List<Integer> rates = rates(args.length > 0 ? args[0] : "500,1000,2000,3000,4000,5000");
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        Path scratch = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "pipeline-bench-");
        System.out.printf("pipeline benchmark: steps %s readings/s (one per table per second), %d s each, %d cores, %.1f GiB%n", rates, seconds,
                Runtime.getRuntime().availableProcessors(), totalMemoryGiB());
        try (MosquittoBroker mqtt = MosquittoBroker.start(scratch.resolve("mosquitto"));
             KafkaBroker kafka = KafkaBroker.start(scratch.resolve("kafka"), Ports.free(), 12, Compilation.LONG_RUNNING);
             MongoStandIn mongo = MongoStandIn.start(Ports.free())) {
            Duration generatorBefore = LoadConnections.processorTime();
            Instant baselineStart = Instant.now();
            double mosquittoAlone = Baselines.mosquittoQos1(mqtt, 150_000, 50);
            double generatorShare = share(LoadConnections.processorTime().minus(generatorBefore), IngestBenchmark.seconds(baselineStart));
            double kafkaAlone = Baselines.kafkaProducer(kafka, 200_000, 50);
            System.out.printf("baseline: Mosquitto QoS 1 alone %,.0f msg/s (its publishers and subscriber used %.0f%% of a core), "
                    + "Kafka producer alone %,.0f msg/s%n", mosquittoAlone, generatorShare, kafkaAlone);
            List<Step> steps = new ArrayList<>();
            try (PipelineServices services = PipelineServices.start(scratch, mqtt, kafka, mongo);
                 AlertProbe probe = new AlertProbe(mqtt.uri(), kafka.bootstrapServers(), services.safety().port, services.notification().port, PROBE_TIMEOUT)) {
                Pipeline pipeline = new Pipeline(mqtt, kafka, services.ingest(), services.safety(), services.analytics(), probe,
                        services.pids(mqtt, kafka));
                // compiled and warm before any step is timed; an idle step (0 readings/s) measures what the platform costs doing nothing
                warmUp(pipeline, rates.stream().filter(rate -> rate > 0).findFirst().orElse(0));
                for (int rate : rates) {
                    Step step = step(pipeline, rate, seconds);
                    steps.add(step);
                    System.out.printf("  %d readings/s: offered %.0f, ingested %.0f, reading record p99 %d ms, alert record p50 %d ms p99 %d ms, "
                                    + "stream p50 %d ms p99 %d ms, webhook p99 %d ms, lost %d, platform %.0f%% of a core%n", rate, step.offered(),
                            step.ingested(), step.readingP99(), step.recordP50(),
                            step.recordP99(), step.p50(), step.p99(), step.webhookP99(), step.lost(), step.platformShare());
                    if (step.lost() > 0) {
                        break;
                    }
                }
            }
            print(steps, seconds, mosquittoAlone, kafkaAlone);
        }
    }

    /**
     * The steps asked, such as {@code 0,3000,6000,0}: each loaded step is judged with every one below it, and a step inherits what the
     * one before left behind, so loaded steps must rise, each once; idle steps (0) may come anywhere.
     */
    static List<Integer> rates(String steps) {
        List<Integer> rates = Arrays.stream(steps.split(",")).map(String::trim).map(Integer::parseInt).toList();
        List<Integer> loaded = rates.stream().filter(rate -> rate != 0).toList();
        for (int i = 0; i < loaded.size(); i++) {
            if (loaded.get(i) < 0 || i > 0 && loaded.get(i) <= loaded.get(i - 1)) {
                throw new IllegalArgumentException("loaded steps must rise, each once (idle steps, 0, may come anywhere), e.g. 0,3000,6000,0; got " + steps);
            }
        }
        return rates;
    }

    /** Steps of {@value #WARM_UP_SECONDS} s at the first rate asked, until the compilers rest ({@link CompilerRest}). */
    private static void warmUp(Pipeline pipeline, int rate) throws Exception {
        CompilerRest.warmUp("the JVMs'", () -> compilation(pipeline.pids()), round -> {
            step(pipeline, rate, WARM_UP_SECONDS);
            return String.format(", at %d readings/s", rate);
        });
    }

    /** Time the JIT compilers of every process that is a JVM have spent so far. */
    static Duration compilation(Map<String, Long> pids) {
        return pids.values().stream().map(ProcessStats::compilationTime).reduce(Duration.ZERO, Duration::plus);
    }

    private static Step step(Pipeline pipeline, int rate, int seconds) throws Exception {
        long storedBefore = recordsIn(pipeline.kafka());
        long probesBefore = pipeline.probe().published();
        try (FleetLoad load = FleetLoad.start(pipeline.mqtt().uri(), "bench", rate, IngestBenchmark.PUBLISHING_CONNECTIONS, rate)) {
            Thread.sleep(5_000); // the step's load settles before anything is timed
            double forwardedBefore = pipeline.ingest().counter("tiltfleet_ingest_messages_forwarded_total");
            long acknowledgedBefore = load.acknowledged();
            Map<String, Duration> cpuBefore = cpu(pipeline.pids());
            Duration generatorBefore = LoadConnections.processorTime(BENCHMARK_THREADS);
            Duration compilingBefore = compilation(pipeline.pids());
            Instant windowStart = Instant.now();
            List<Long> latencies = new ArrayList<>();
            List<Long> webhookLatencies = new ArrayList<>();
            List<Long> recordLatencies = new ArrayList<>();
            List<Long> readingLatencies = new ArrayList<>();
            int cutsBefore = pipeline.probe().disconnects();
            long lagSafety = 0;
            long lagAnalytics = 0;
            while (Duration.between(windowStart, Instant.now()).toSeconds() < seconds) {
                AlertProbe.Latency latency = pipeline.probe().measure();
                latencies.add(latency.stream());
                webhookLatencies.add(latency.webhook());
                recordLatencies.add(latency.record());
                readingLatencies.add(latency.reading());
                if (latency.stream() > P99_TARGET_MS) {
                    System.out.printf("    %s slow probe: %d ms to the reading record, %d ms to the alert record, %d ms to the stream, "
                            + "%d ms to the webhook%n", Instant.now(), latency.reading(), latency.record(), latency.stream(), latency.webhook());
                }
                lagSafety = Math.max(lagSafety, rulesLag(pipeline.safety()));
                lagAnalytics = Math.max(lagAnalytics, analyticsLag(pipeline.analytics()));
                Thread.sleep(Math.max(0, 1000 - Math.max(latency.stream(), latency.webhook())));
            }
            double window = Duration.between(windowStart, Instant.now()).toMillis() / 1000.0;
            double offered = (load.acknowledged() - acknowledgedBefore) / window;
            double ingested = (pipeline.ingest().counter("tiltfleet_ingest_messages_forwarded_total") - forwardedBefore) / window;
            Map<String, Duration> cpuAfter = cpu(pipeline.pids());
            // read after the processor figures: the analytics' whole exposition is 270 KB, and the benchmark's reading it is not the platform's work
            ReadingsDone doneAfter = ReadingsDone.now(pipeline);
            Map<String, String> processes = usage(pipeline.pids(), cpuBefore, cpuAfter, window);
            // the load generator and the probes' readers run in this JVM, next to the MongoDB stand-in: their own share, never counted as the platform's
            double generatorShare = share(LoadConnections.processorTime(BENCHMARK_THREADS).minus(generatorBefore), window);
            processes.put("of which generator and probe readers", String.format("%.0f%%", generatorShare));
            processes.put("of all, JIT compilers", String.format("%.0f%%", share(compilation(pipeline.pids()).minus(compilingBefore), window)));
            double platformShare = cpuAfter.keySet().stream().mapToDouble(name -> share(cpuAfter.get(name).minus(cpuBefore.get(name)), window)).sum()
                    - generatorShare;
            load.close();
            long owed = load.acknowledged() + pipeline.probe().published() - probesBefore;
            long lost = drain(() -> owed - (recordsIn(pipeline.kafka()) - storedBefore));
            Collections.sort(latencies);
            Collections.sort(webhookLatencies);
            Collections.sort(recordLatencies);
            Collections.sort(readingLatencies);
            return new Step(rate, offered, ingested, ServiceProcess.percentile(readingLatencies, 99), ServiceProcess.percentile(recordLatencies, 50), ServiceProcess.percentile(recordLatencies, 99),
                    ServiceProcess.percentile(latencies, 50), ServiceProcess.percentile(latencies, 99),
                    ServiceProcess.percentile(webhookLatencies, 99), lost, lagSafety, lagAnalytics,
                    doneAfter.rulesBehind(), doneAfter.analyticsBehind(), latencies.size(), arrived(latencies),
                    arrived(webhookLatencies), pipeline.probe().disconnects() - cutsBefore, platformShare, processes);
        }
    }

    /**
     * Readings the ingest has stored in Kafka since the services started, and those the rules and the analytics have finished with
     * (the analytics counts neither misdated nor unreadable records, of which the benchmark sends none).
     */
    record ReadingsDone(double ingested, double rules, double analytics) {

        static ReadingsDone now(Pipeline pipeline) {
            return new ReadingsDone(pipeline.ingest().counter(INGESTED_READINGS, "kind=\"telemetry\""), pipeline.safety().counter(RULES_DONE),
                    pipeline.analytics().counter(ANALYTICS_DONE));
        }

        long rulesBehind() {
            return Math.round(ingested - rules);
        }

        long analyticsBehind() {
            return Math.round(ingested - analytics);
        }
    }

    private static int arrived(List<Long> latencies) {
        return (int) latencies.stream().filter(latency -> latency < PROBE_TIMEOUT.toMillis()).count();
    }

    /**
     * Readings the safety rules have yet to read, summed over the partitions: Kafka reports each partition's
     * lag twice (topic spelt with dots and with underscores), and the live feed's consumer reads other topics.
     */
    private static long rulesLag(ServiceProcess safety) {
        return readingsBehind(safety, "kafka.consumer.fetch.manager.records.lag?tag=topic:" + Topics.TELEMETRY_READINGS);
    }

    /**
     * Readings the analytics service has yet to read, from its one gauge: the whole Prometheus exposition (270 KB),
     * read every second, cost the service 8-17 ms of processor each time against 2-4 ms for the gauge, and the
     * benchmark counts the service's processor as the platform's.
     */
    private static long analyticsLag(ServiceProcess analytics) {
        return readingsBehind(analytics, "tiltfleet.analytics.consumer.lag");
    }

    /** None while the meter is not registered yet. */
    private static long readingsBehind(ServiceProcess service, String meter) {
        double lag = service.metric(meter);
        return Double.isNaN(lag) ? 0 : (long) lag;
    }

    private static void print(List<Step> steps, int seconds, double mosquittoAlone, double kafkaAlone) {
        System.out.println();
        System.out.printf("%-7s %9s %9s %8s %7s %7s %7s %7s %8s %5s %7s %9s %12s %9s %9s %8s %5s %10s %10s  %s%n", "step/s", "offered/s", "ingested", "read p99",
                "rec p50", "rec p99", "p50 ms", "p99 ms", "hook p99", "lost", "lag:rules", "analytics", "behind:rules", "analytics", "probes ok", "hooks ok",
                "cuts", "platform %", "us/reading", "processor % and resident MB per process");
        steps.forEach(step -> System.out.printf("%-7d %9.0f %9.0f %8d %7d %7d %7d %7d %8d %5d %7d %9d %12d %9d %9s %8s %5d %10.0f %10s  %s%n", step.rate(),
                step.offered(), step.ingested(), step.readingP99(), step.recordP50(), step.recordP99(), step.p50(), step.p99(), step.webhookP99(), step.lost(),
                step.safetyLag(), step.analyticsLag(), step.rulesBehind(), step.analyticsBehind(),
                step.probesArrived() + "/" + step.probes(), step.webhooksArrived() + "/" + step.probes(), step.streamCuts(), step.platformShare(),
                step.rate() == 0 ? "-" : String.format("%.0f", step.microsPerReading()), step.processes()));
        System.out.printf("baselines in this run: Mosquitto QoS 1 alone %,.0f msg/s, Kafka producer alone %,.0f msg/s%n", mosquittoAlone, kafkaAlone);
        System.out.println(verdict(steps, seconds));
    }

    /**
     * The highest loaded step held with every loaded step below it held too (one that holds above one that did not says little),
     * and what the first that was not held missed; each idle step (0 readings/s), which may follow load, is judged on its own.
     */
    static String verdict(List<Step> steps, int seconds) {
        String criteria = "with no loss, every probe on the stream, p99 under " + P99_TARGET_MS + " ms and the consumers at most "
                + MAX_BEHIND_SECONDS + " s of readings behind";
        Step highestHeld = null;
        Step firstMissed = null;
        for (Step step : steps.stream().filter(step -> step.rate() > 0).sorted(Comparator.comparingInt(Step::rate)).toList()) {
            if (!step.held()) {
                firstMissed = step;
                break;
            }
            highestHeld = step;
        }
        List<String> verdict = new ArrayList<>();
        if (highestHeld != null) {
            verdict.add("highest load held for " + seconds + " s " + criteria + ": " + highestHeld.rate() + " readings/s"
                    + (firstMissed == null ? " (every step held)" : ""));
        } else if (firstMissed != null) {
            verdict.add("no load held " + criteria);
        }
        if (firstMissed != null) {
            verdict.add(firstMissed.rate() + " readings/s missed: " + String.join(", ", firstMissed.missed()));
        }
        steps.stream().filter(step -> step.rate() == 0)
                .forEach(idle -> verdict.add(idle.held() ? "idle: held" : "idle missed: " + String.join(", ", idle.missed())));
        return String.join("; ", verdict);
    }

    /** Waits up to 30 s for what was acknowledged to be in Kafka; what is still missing then is lost. */
    private static long drain(LongSupplier missing) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(30);
        long stillMissing = missing.getAsLong();
        while (stillMissing > 0 && Instant.now().isBefore(deadline)) {
            Thread.sleep(500);
            stillMissing = missing.getAsLong();
        }
        return Math.max(0, stillMissing);
    }

    private static long recordsIn(KafkaBroker kafka) {
        return TopicReader.recordCount(kafka.bootstrapServers(), Topics.TELEMETRY_READINGS);
    }

    static Map<String, Duration> cpu(Map<String, Long> pids) {
        Map<String, Duration> cpu = new LinkedHashMap<>();
        pids.forEach((name, pid) -> cpu.put(name, ProcessStats.cpuTime(pid)));
        return cpu;
    }

    private static Map<String, String> usage(Map<String, Long> pids, Map<String, Duration> cpuBefore, Map<String, Duration> cpuAfter, double window) {
        Map<String, String> usage = new LinkedHashMap<>();
        pids.forEach((name, pid) -> usage.put(name, String.format("%.0f%%/%dMB",
                share(cpuAfter.get(name).minus(cpuBefore.get(name)), window), ProcessStats.residentMemory(pid)[0] / 1_000_000)));
        return usage;
    }

    /** Processor time over a window, in % of one core. */
    static double share(Duration processorTime, double windowSeconds) {
        return processorTime.toMillis() / 10.0 / windowSeconds;
    }

    private static double totalMemoryGiB() {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(line -> line.startsWith("MemTotal:"))
                    .mapToLong(line -> Long.parseLong(line.replaceAll("\\D", ""))).findFirst().orElse(0) / 1024.0 / 1024.0;
        } catch (IOException e) {
            return 0;
        }
    }
}
