package io.tiltfleet.bench;

import io.tiltfleet.contract.Topics;
import io.tiltfleet.embedded.KafkaBroker;
import io.tiltfleet.embedded.KafkaBroker.Compilation;
import io.tiltfleet.embedded.MongoStandIn;
import io.tiltfleet.embedded.MosquittoBroker;
import io.tiltfleet.embedded.Ports;
import io.tiltfleet.embedded.TopicReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToLongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The whole pipeline (the services from their jars, Mosquitto, Kafka, the MongoDB stand-in) under one
 * steady load for a long time, then a report: readings lost and duplicated, memory growth per service
 * (heap in use right after a full collection, forced each minute; resident memory), and drift of
 * publish-to-alert latency from the first part of the run to the last, after a minute of warm-up. A
 * line per minute shows progress.
 *
 * <p>Usage: {@code SoakBenchmark [duration, ISO-8601, default PT30M] [readings/s, default 500]}
 */
public final class SoakBenchmark {

    private static final Duration SAMPLE_EVERY = Duration.ofMinutes(1);
    private static final Duration WARM_UP = Duration.ofMinutes(1);
    private static final Pattern READING_ID = Pattern.compile("\"tableId\":\"([^\"]+)\",\"seq\":(\\d+),\"ts\":\"[^\"]+\",\"sessionId\":(\"[^\"]*\"|null)");
    private static final List<String> SERVICES = List.of("ingest", "safety", "analytics");

    private SoakBenchmark() {
    }

    /** What one minute of the run looked like. */
    record Sample(int minute, long p50, long p99, long acknowledged, long stored, Map<String, Long> liveHeapMb, Map<String, Long> residentMb,
                  long safetyLag, long analyticsLag) {
    }

    public static void main(String[] args) throws Exception {
        Duration duration = args.length > 0 ? Duration.parse(args[0]) : Duration.ofMinutes(30);
        int rate = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        Path scratch = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "soak-");
        System.out.printf("soak: %d readings/s from %d tables for %s, %d cores; started %s%n", rate, rate, duration,
                Runtime.getRuntime().availableProcessors(), Instant.now());
        try (MosquittoBroker mqtt = MosquittoBroker.start(scratch.resolve("mosquitto"));
             KafkaBroker kafka = KafkaBroker.start(scratch.resolve("kafka"), Ports.free(), 12, Compilation.LONG_RUNNING);
             MongoStandIn mongo = MongoStandIn.start(Ports.free());
             PipelineServices services = PipelineServices.start(scratch, mqtt, kafka, mongo);
             AlertProbe probe = new AlertProbe(mqtt.uri(), kafka.bootstrapServers(), services.safety().port, services.notification().port, Duration.ofSeconds(5))) {
            Map<String, ServiceProcess> byName = Map.of("ingest", services.ingest(), "safety", services.safety(), "analytics", services.analytics());
            Map<String, Long> pids = services.pids(mqtt, kafka);
            List<Sample> samples = new ArrayList<>();
            FleetLoad load = FleetLoad.start(mqtt.uri(), "soak", rate, IngestBenchmark.PUBLISHING_CONNECTIONS, rate);
            warmUp(probe);
            Instant end = Instant.now().plus(duration);
            List<Long> minute = new ArrayList<>();
            Instant nextSample = Instant.now().plus(SAMPLE_EVERY);
            while (Instant.now().isBefore(end)) {
                long latency = probe.measure().stream();
                minute.add(latency);
                Thread.sleep(Math.max(0, 1000 - latency));
                if (!Instant.now().isBefore(nextSample)) {
                    Sample sample = sample(samples.size() + 1, minute, load, kafka, byName, pids);
                    samples.add(sample);
                    System.out.printf("  minute %2d: alert p50 %d ms p99 %d ms, acknowledged %,d, stored %,d, lag rules %d analytics %d, "
                                    + "heap after full GC MB %s, resident MB %s%n", sample.minute(), sample.p50(), sample.p99(), sample.acknowledged(),
                            sample.stored(), sample.safetyLag(), sample.analyticsLag(), sample.liveHeapMb(), sample.residentMb());
                    minute.clear();
                    nextSample = nextSample.plus(SAMPLE_EVERY);
                }
            }
            load.close();
            long owed = load.acknowledged() + probe.published();
            Thread.sleep(10_000); // the last acknowledged readings reach Kafka
            Count count = count(kafka);
            report(samples, owed, count, duration, rate);
        }
    }

    record Count(long stored, long distinct) {
    }

    /** A minute of load and probes before anything is measured: the services compile their hot paths. */
    private static void warmUp(AlertProbe probe) throws InterruptedException {
        Instant until = Instant.now().plus(WARM_UP);
        while (Instant.now().isBefore(until)) {
            Thread.sleep(Math.max(0, 1000 - probe.measure().stream()));
        }
    }

    private static Sample sample(int number, List<Long> latencies, FleetLoad load, KafkaBroker kafka, Map<String, ServiceProcess> services,
                                 Map<String, Long> pids) {
        List<Long> sorted = latencies.stream().sorted().toList();
        Map<String, Long> liveHeap = new LinkedHashMap<>();
        Map<String, Long> resident = new LinkedHashMap<>();
        for (String name : SERVICES) {
            // what a leak makes grow: the heap still in use right after a full collection
            ProcessStats.fullGc(pids.get(name));
            liveHeap.put(name, (long) (services.get(name).metric("jvm.memory.used?tag=area:heap") / 1_000_000));
        }
        pids.forEach((name, pid) -> resident.put(name, ProcessStats.residentMemory(pid)[0] / 1_000_000));
        return new Sample(number, ServiceProcess.percentile(sorted, 50), ServiceProcess.percentile(sorted, 99), load.acknowledged(),
                TopicReader.recordCount(kafka.bootstrapServers(), Topics.TELEMETRY_READINGS), liveHeap, resident,
                (long) services.get("safety").counter("kafka_consumer_fetch_manager_records_lag_max"),
                (long) services.get("analytics").metric("tiltfleet.analytics.consumer.lag"));
    }

    /** Every reading in the topic once: how many there are, and how many different (table, session, seq) among them. */
    private static Count count(KafkaBroker kafka) {
        long total = TopicReader.recordCount(kafka.bootstrapServers(), Topics.TELEMETRY_READINGS);
        Set<String> ids = new HashSet<>();
        long[] read = {0};
        TopicReader.read(kafka.bootstrapServers(), Topics.TELEMETRY_READINGS, record -> {
            read[0]++;
            Matcher id = READING_ID.matcher(record.value());
            ids.add(id.find() ? id.group(1) + "/" + id.group(3) + "/" + id.group(2) : record.value());
            return false; // nothing is kept: only counted
        }, kept -> read[0] >= total, Duration.ofMinutes(5));
        return new Count(read[0], ids.size());
    }

    private static void report(List<Sample> samples, long owed, Count count, Duration duration, int rate) {
        System.out.println();
        System.out.printf("soak report: %s at %d readings/s, finished %s%n", duration, rate, Instant.now());
        System.out.printf("readings: acknowledged by Mosquitto %,d, stored in Kafka %,d, distinct %,d, duplicates %,d, lost %,d%n",
                owed, count.stored(), count.distinct(), count.stored() - count.distinct(), Math.max(0, owed - count.distinct()));
        if (samples.size() < 2) {
            return;
        }
        int window = Math.max(1, Math.min(5, samples.size() / 3));
        List<Sample> first = samples.subList(0, window);
        List<Sample> last = samples.subList(samples.size() - window, samples.size());
        System.out.printf("alert latency, first %d min vs last %d min: p50 %d -> %d ms, p99 %d -> %d ms (mean of the minutes' p99)%n",
                window, window, mean(first, Sample::p50), mean(last, Sample::p50), mean(first, Sample::p99), mean(last, Sample::p99));
        for (String name : SERVICES) {
            System.out.printf("%-9s heap after a full GC %d -> %d MB, resident %d -> %d MB (minute %d to minute %d)%n", name,
                    samples.get(0).liveHeapMb().get(name), samples.get(samples.size() - 1).liveHeapMb().get(name),
                    samples.get(0).residentMb().get(name), samples.get(samples.size() - 1).residentMb().get(name), 1, samples.size());
        }
        System.out.printf("consumer lag, highest minute sample: rules %d, analytics %d%n",
                samples.stream().mapToLong(Sample::safetyLag).max().orElse(0), samples.stream().mapToLong(Sample::analyticsLag).max().orElse(0));
    }

    private static long mean(List<Sample> samples, ToLongFunction<Sample> value) {
        return Math.round(samples.stream().mapToLong(value).average().orElse(0));
    }
}
