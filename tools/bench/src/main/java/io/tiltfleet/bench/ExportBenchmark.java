package io.tiltfleet.bench;

import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import io.tiltfleet.analytics.sessions.AngleBand;
import io.tiltfleet.analytics.sessions.QuarterSlice;
import io.tiltfleet.analytics.sessions.SessionDocument;
import io.tiltfleet.analytics.sessions.SessionSummary;
import io.tiltfleet.embedded.KafkaBroker;
import io.tiltfleet.embedded.KafkaBroker.Compilation;
import io.tiltfleet.embedded.LoopbackHttp;
import io.tiltfleet.embedded.MongoStandIn;
import io.tiltfleet.embedded.Ports;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.DoubleAccumulator;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.bson.Document;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.BulkOperations;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;

/**
 * A large export: sessions are stored straight into MongoDB, then the analytics service (its own
 * process, with a small heap) streams them as CSV and as NDJSON while a dashboard asks for the
 * fleet summary ten times a second. Prints rows/s, the service's peak heap and resident memory, the summary's
 * latency during the export next to before it, and the baseline of reading the same documents
 * from MongoDB with no service in between. Then the same for as many alerts, exported by the safety
 * service while a dashboard lists the fleet's tables.
 *
 * <p>Usage: {@code ExportBenchmark [rows] [service heap]}
 */
public final class ExportBenchmark {

    private static final String FLEET = "bench";
    private static final int TABLES = 1000;
    /** A dashboard asks for the summary about ten times a second during the export. */
    private static final Duration DASHBOARD_PAUSE = Duration.ofMillis(100);
    private static final Instant FIRST = Instant.parse("2026-01-01T00:00:00Z");
    /** About 60,000 sessions or alerts: the first two days. */
    private static final Instant WARM_UP_UNTIL = Instant.parse("2026-01-03T00:00:00Z");
    private static final String EXPORT = "/api/analytics/fleets/" + FLEET + "/exports/sessions?format=";
    /** The safety service's collection of alerts, named after its Alert record. */
    private static final String ALERTS = "alert";
    private static final String ALERT_EXPORT = "/api/fleets/" + FLEET + "/alerts/export?format=";

    private ExportBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        String heap = args.length > 1 ? args[1] : "256m";
        Path scratch = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "export-bench-");
        System.out.printf("export benchmark: %,d sessions of %d tables, service heap %s, %d cores%n", rows, TABLES, heap,
                Runtime.getRuntime().availableProcessors());
        try (KafkaBroker kafka = KafkaBroker.start(scratch.resolve("kafka"), Ports.free(), 4, Compilation.LONG_RUNNING);
             MongoStandIn mongo = MongoStandIn.start(Ports.free());
             MongoClient client = MongoClients.create(mongo.uri("tiltfleet"))) {
            ReactiveMongoTemplate template = new ReactiveMongoTemplate(client, "tiltfleet");
            seed(template, rows);
            double baseline = readAll(template, rows);
            ServiceProcess analytics = ServiceProcess.start("analytics-service", scratch, Ports.free(), heap,
                    "--spring.kafka.bootstrap-servers=" + kafka.bootstrapServers(), "--spring.mongodb.uri=" + mongo.uri("tiltfleet"),
                    "--management.health.mongodb.enabled=false", "--spring.profiles.active=local");
            try {
                String summary = "/api/analytics/fleets/" + FLEET + "/summary?day=2026-01-02";
                warmUp(analytics, EXPORT);
                System.out.printf("%-34s %,10.0f rows/s  (reactive driver, no HTTP, no formatting)%n", "baseline: read from MongoDB", baseline);
                for (String format : List.of("CSV", "NDJSON")) {
                    export(analytics, EXPORT + format, format + " export over HTTP", rows, baseline, summary);
                }
                printIdleLatency(analytics, summary, "summary");
            } finally {
                analytics.stop();
            }
            exportAlerts(template, scratch, kafka, mongo, rows, heap);
        }
    }

    /** As many alerts, cleared and acknowledged, exported by the safety service while a dashboard lists the fleet's tables. */
    private static void exportAlerts(ReactiveMongoTemplate template, Path scratch, KafkaBroker kafka, MongoStandIn mongo, int rows,
                                     String heap) throws Exception {
        seedAlerts(template, rows);
        Query all = Query.query(Criteria.where("fleetId").is(FLEET)).with(Sort.by("raisedAt"));
        all.fields().exclude("readings"); // as the export reads them
        all.cursorBatchSize(1000);
        double baseline = fasterOfTwo(() -> template.find(all, Document.class, ALERTS).count().block(), rows);
        ServiceProcess safety = ServiceProcess.start("safety-alert-service", scratch, Ports.free(), heap,
                "--spring.kafka.bootstrap-servers=" + kafka.bootstrapServers(), "--spring.mongodb.uri=" + mongo.uri("tiltfleet"),
                "--management.health.mongodb.enabled=false", "--spring.profiles.active=local");
        try {
            // the live page's table list: the alerts list sorts all of the fleet's alerts, a page of a million alone
            String list = "/api/fleet/" + FLEET + "/tables";
            warmUp(safety, ALERT_EXPORT);
            System.out.printf("%-34s %,10.0f rows/s  (reactive driver, no HTTP, no formatting)%n", "baseline: read the alerts", baseline);
            for (String format : List.of("CSV", "NDJSON")) {
                export(safety, ALERT_EXPORT + format, format + " alert export over HTTP", rows, baseline, list);
            }
            printIdleLatency(safety, list, "table list");
        } finally {
            safety.stop();
        }
    }

    /** Exports of the first two days in both formats until the service's compilers rest: compiled and warm before anything is timed. */
    private static void warmUp(ServiceProcess service, String export) throws Exception {
        CompilerRest.warmUp("the service's", service::compilationTime, round -> {
            long rows = 0;
            for (String format : List.of("CSV", "NDJSON")) {
                long lines = download(service.port, export + format + "&to=" + WARM_UP_UNTIL)[0];
                rows += format.equals("CSV") ? lines - 1 : lines;
            }
            return String.format(", %,d rows", rows);
        });
    }

    /** Alerts as the safety service stores them, each cleared a minute after its raise and acknowledged after two. */
    private static void seedAlerts(ReactiveMongoTemplate template, int rows) {
        long started = System.nanoTime();
        int batch = 10_000;
        for (int written = 0; written < rows; written += batch) {
            List<Document> documents = new ArrayList<>(batch);
            for (int i = written; i < Math.min(rows, written + batch); i++) {
                String id = "a-" + i;
                Instant raised = FIRST.plus((long) (i / TABLES) * 47, ChronoUnit.MINUTES).plusSeconds(i % 600);
                documents.add(new Document("_id", id).append("fleetId", FLEET).append("tableId", "t-" + (i % TABLES)).append("type", "OVER_ANGLE")
                        .append("severity", "CRITICAL").append("state", "CLEARED_ACKNOWLEDGED").append("reason", "above 70 degrees")
                        .append("raisedAt", Date.from(raised)).append("updatedAt", Date.from(raised.plusSeconds(120)))
                        .append("clearedAt", Date.from(raised.plusSeconds(60))).append("acknowledgedBy", "olivia")
                        .append("acknowledgedAt", Date.from(raised.plusSeconds(120))).append("readings", List.of())
                        .append("location", "Berlin-Mitte, Room " + (i % 40)).append("openSlot", id));
            }
            template.bulkOps(BulkOperations.BulkMode.UNORDERED, ALERTS).insert(documents).execute().block();
            if ((written + batch) % 100_000 == 0 || written + batch >= rows) {
                System.out.printf("  stored %,d of %,d alerts (%.0f s)%n", Math.min(rows, written + batch), rows, (System.nanoTime() - started) / 1e9);
            }
        }
    }

    private static void printIdleLatency(ServiceProcess service, String path, String what) {
        List<Long> idle = probe(service.port, path, 100);
        Collections.sort(idle);
        System.out.printf("%-34s p50 %d ms, p99 %d ms%n", what + " latency, no export running", ServiceProcess.percentile(idle, 50),
                ServiceProcess.percentile(idle, 99));
    }

    /** Sessions of a few minutes, a few per table and day, in bulk writes. */
    private static void seed(ReactiveMongoTemplate template, int rows) {
        Random random = new Random(42);
        long started = System.nanoTime();
        int batch = 10_000;
        for (int written = 0; written < rows; written += batch) {
            List<SessionDocument> documents = new ArrayList<>(batch);
            for (int i = written; i < Math.min(rows, written + batch); i++) {
                documents.add(SessionDocument.of(session(random, i)));
            }
            BulkOperations.BulkMode unordered = BulkOperations.BulkMode.UNORDERED;
            template.bulkOps(unordered, SessionDocument.class).insert(documents).execute().block();
            if ((written + batch) % 100_000 == 0 || written + batch >= rows) {
                System.out.printf("  stored %,d of %,d sessions (%.0f s)%n", Math.min(rows, written + batch), rows,
                        (System.nanoTime() - started) / 1e9);
            }
        }
    }

    private static SessionSummary session(Random random, int index) {
        String tableId = "t-" + (index % TABLES);
        Instant start = FIRST.plus((long) (index / TABLES) * 47, ChronoUnit.MINUTES).plusSeconds(random.nextInt(600));
        double low = 90 + random.nextInt(180);
        double high = random.nextInt(120);
        double steep = random.nextInt(10) == 0 ? 20 + random.nextInt(40) : 0;
        double seconds = low + high + steep;
        Map<AngleBand, Double> bands = Map.of(AngleBand.BAND_20_40, low, AngleBand.BAND_40_60, high, AngleBand.STEEP_60_75, steep);
        double angleSeconds = low * 30 + high * 50 + steep * 65;
        double maxAngle = steep > 0 ? 65 : high > 0 ? 50 : 30;
        Instant end = start.plusMillis((long) (seconds * 1000));
        return new SessionSummary(FLEET + "/" + tableId + "/s-" + index + "/" + start.toEpochMilli(), FLEET, tableId, "s-" + index, start,
                end, maxAngle, bands, angleSeconds, steep > 0 ? 1 : 0, (int) seconds + 1, SessionSummary.EndReason.RETURNED_UPRIGHT,
                List.of(new QuarterSlice(start.truncatedTo(ChronoUnit.HOURS), true, bands, angleSeconds, maxAngle)), List.of());
    }

    /** The same query as the export, read through the reactive driver as plain documents, nothing else. */
    private static double readAll(ReactiveMongoTemplate template, int rows) {
        Query query = Query.query(Criteria.where("fleetId").is(FLEET)).with(Sort.by("start"));
        query.fields().exclude("hours"); // as the export reads them
        query.cursorBatchSize(1000);
        return fasterOfTwo(() -> template.find(query, Document.class, SessionDocument.COLLECTION).count().block(), rows);
    }

    /** Rows per second of the faster of two reads: the first warms up the driver and the stand-in, as the services' are before theirs. */
    private static double fasterOfTwo(Supplier<Long> read, int rows) {
        double fastest = 0;
        for (int attempt = 0; attempt < 2; attempt++) {
            long started = System.nanoTime();
            long count = read.get();
            if (count != rows) {
                throw new IllegalStateException("read " + count + " of " + rows + " rows");
            }
            fastest = Math.max(fastest, count / ((System.nanoTime() - started) / 1e9));
        }
        return fastest;
    }

    private static void export(ServiceProcess service, String path, String label, int rows, double baseline, String summary) throws Exception {
        DoubleAccumulator peakHeap = new DoubleAccumulator(Math::max, 0);
        AtomicBoolean exporting = new AtomicBoolean(true);
        CompletableFuture<Void> heapSampler = CompletableFuture.runAsync(() -> {
            while (exporting.get()) {
                peakHeap.accumulate(service.metric("jvm.memory.used?tag=area:heap"));
            }
        });
        CompletableFuture<List<Long>> dashboard = CompletableFuture.supplyAsync(() -> {
            List<Long> latencies = new ArrayList<>();
            while (exporting.get()) {
                latencies.addAll(probe(service.port, summary, 1));
                LockSupport.parkNanos(DASHBOARD_PAUSE.toNanos());
            }
            return latencies;
        });
        Duration serviceCpu = service.cpuTime();
        Duration ownCpu = ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO);
        long started = System.nanoTime();
        long[] counted = download(service.port, path);
        double seconds = (System.nanoTime() - started) / 1e9;
        exporting.set(false);
        serviceCpu = service.cpuTime().minus(serviceCpu);
        ownCpu = ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO).minus(ownCpu);
        heapSampler.join();
        List<Long> during = new ArrayList<>(dashboard.join());
        Collections.sort(during);
        long dataRows = path.endsWith("CSV") ? counted[0] - 1 : counted[0];
        if (dataRows != rows) {
            throw new IllegalStateException(label + " has " + dataRows + " rows, expected " + rows);
        }
        long[] memory = service.residentMemory();
        System.out.printf("%-34s %,10.0f rows/s  (%.2fx the baseline), %,d rows, %.1f MB in %.1f s%n", label,
                dataRows / seconds, dataRows / seconds / baseline, dataRows, counted[1] / 1e6, seconds);
        System.out.printf("%-34s peak heap used %.0f MB (max %s), resident %.0f MB now, %.0f MB at peak%n", "  service memory",
                peakHeap.get() / 1e6, service.metric("jvm.memory.max?tag=area:heap") > 0 ? "set by -Xmx" : "?", memory[0] / 1e6, memory[1] / 1e6);
        System.out.printf("%-34s service %.1f s, MongoDB stand-in and client %.1f s%n", "  processor time", serviceCpu.toMillis() / 1e3,
                ownCpu.toMillis() / 1e3);
        System.out.printf("%-34s p50 %d ms, p99 %d ms, max %d ms over %d requests%n", "  dashboard latency during it",
                ServiceProcess.percentile(during, 50), ServiceProcess.percentile(during, 99), during.get(during.size() - 1), during.size());
    }

    /** Reads a response to its end: lines and bytes. */
    private static long[] download(int port, String path) throws Exception {
        HttpResponse<InputStream> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .build(), HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("export answered " + response.statusCode());
        }
        long lines = 0;
        long bytes = 0;
        byte[] buffer = new byte[64 * 1024];
        try (InputStream body = response.body()) {
            for (int read = body.read(buffer); read >= 0; read = body.read(buffer)) {
                bytes += read;
                for (int i = 0; i < read; i++) {
                    lines += buffer[i] == '\n' ? 1 : 0;
                }
            }
        }
        return new long[] {lines, bytes};
    }

    private static List<Long> probe(int port, String path, int times) {
        List<Long> latencies = new ArrayList<>();
        for (int i = 0; i < times; i++) {
            long started = System.nanoTime();
            if (LoopbackHttp.get(port, path).isEmpty()) {
                throw new IllegalStateException("no answer from " + path);
            }
            latencies.add((System.nanoTime() - started) / 1_000_000);
        }
        return latencies;
    }
}
