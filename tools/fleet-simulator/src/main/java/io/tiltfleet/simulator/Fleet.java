package io.tiltfleet.simulator;

import io.tiltfleet.contract.TableStatus;
import io.tiltfleet.contract.Topics;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/** A running simulated fleet: one MQTT connection per table, each ticking at the configured rate. */
public final class Fleet {

    /** @param passwords what each table signs in to the broker with, as {@code <fleetId>/<tableId>}; {@link TablePasswords#NONE}: anonymously */
    public record Settings(String brokerUri, int fleets, int tablesPerFleet, double readingsPerSecond, Duration duration,
                    long seed, ScenarioMix mix, double malformedShare, TablePasswords passwords) {
    }

    /** What the fleet sent; {@code acked} counts messages the broker acknowledged, {@code malformed} is part of them. */
    public record Summary(long sent, long acked, long failed, long malformed, Map<Scenario, Long> sessions) {
    }

    private final Settings settings;
    private final PrintStream out;
    private final Clock clock;
    private final ScheduledExecutorService ticker = Executors.newScheduledThreadPool(2, r -> new Thread(r, "fleet-tick"));
    private final List<SimulatedTable> tables = new ArrayList<>();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final Map<Scenario, AtomicLong> sessions = new ConcurrentHashMap<>();

    private final AtomicBoolean stopped = new AtomicBoolean();

    public Fleet(Settings settings, PrintStream out, Clock clock) {
        this.settings = settings;
        this.out = out;
        this.clock = clock;
    }

    /** Connects every table and runs until the duration is over (or forever when it is zero), then prints a summary. */
    public Summary run() throws InterruptedException {
        Random seeds = new Random(settings.seed());
        Instant start = clock.instant();
        for (int f = 1; f <= settings.fleets(); f++) {
            String fleetId = "fleet-" + f;
            List<String> ids = new ArrayList<>();
            for (int t = 1; t <= settings.tablesPerFleet(); t++) {
                ids.add(String.format("table-%03d", t));
            }
            List<TablePublisher> publishers = TablePublisher.connectAll(settings.brokerUri(), fleetId, ids, settings.passwords());
            for (TablePublisher publisher : publishers) {
                Random random = new Random(seeds.nextLong());
                TableBehaviour behaviour = new TableBehaviour(fleetId, publisher.tableId(), settings.mix(), random, start);
                sessions.computeIfAbsent(behaviour.scenario(), s -> new AtomicLong()).incrementAndGet();
                tables.add(new SimulatedTable(publisher, behaviour, random));
                publisher.publishStatus(TableStatus.State.ONLINE, start);
            }
        }
        out.printf("%d tables of %d fleet(s) connected to %s in %d ms%n", tables.size(), settings.fleets(), settings.brokerUri(),
                Duration.between(start, clock.instant()).toMillis());
        long periodMicros = (long) (1_000_000 / settings.readingsPerSecond());
        Random offsets = new Random(settings.seed());
        for (SimulatedTable table : tables) {
            ticker.scheduleAtFixedRate(() -> tick(table), offsets.nextInt((int) Math.max(1, periodMicros)), periodMicros, TimeUnit.MICROSECONDS);
        }
        ticker.scheduleAtFixedRate(() -> progress(start), 5, 5, TimeUnit.SECONDS);
        awaitEnd();
        stop();
        Summary summary = new Summary(sent.get(), acked.get(), failed.get(), malformed.get(), sessionCounts());
        out.println("summary: " + counts() + ", sessions by scenario " + summary.sessions());
        return summary;
    }

    private void tick(SimulatedTable table) {
        try {
            TableBehaviour.Tick tick = table.behaviour().tick(clock.instant());
            if (tick.sessionStarted()) {
                sessions.computeIfAbsent(table.behaviour().scenario(), s -> new AtomicLong()).incrementAndGet();
            }
            table.follow(tick.online(), clock.instant());
            tick.reading().ifPresent(reading -> {
                boolean breakIt = table.random().nextDouble() < settings.malformedShare();
                byte[] payload = breakIt ? MalformedPayloads.breakOne(reading, table.random()) : null;
                sent.incrementAndGet();
                if (breakIt) {
                    malformed.incrementAndGet();
                }
                (breakIt ? table.publisher().publish(Topics.mqttTelemetryTopic(reading.fleetId(), reading.tableId()), payload)
                        : table.publisher().publish(reading)).whenComplete((ok, failure) -> (failure == null ? acked : failed).incrementAndGet());
            });
        } catch (RuntimeException e) {
            failed.incrementAndGet();
        }
    }

    private void progress(Instant start) {
        long seconds = Math.max(1, Duration.between(start, clock.instant()).toSeconds());
        long online = tables.stream().filter(SimulatedTable::online).count();
        out.printf("t=%ds online=%d/%d %s (%.0f/s)%n", seconds, online, tables.size(), counts(), sent.get() / (double) seconds);
    }

    private String counts() {
        return "sent=%d acked=%d failed=%d malformed=%d".formatted(sent.get(), acked.get(), failed.get(), malformed.get());
    }

    private Map<Scenario, Long> sessionCounts() {
        Map<Scenario, Long> ordered = new EnumMap<>(Scenario.class);
        sessions.forEach((scenario, count) -> ordered.put(scenario, count.get()));
        return ordered;
    }

    private void awaitTicksEnded() {
        try {
            ticker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitEnd() throws InterruptedException {
        long millis = settings.duration().isZero() ? Long.MAX_VALUE : settings.duration().toMillis();
        ticker.awaitTermination(millis, TimeUnit.MILLISECONDS);
    }

    public void stop() {
        if (stopped.getAndSet(true)) {
            return;
        }
        ticker.shutdownNow();
        awaitTicksEnded();
        for (SimulatedTable table : tables) {
            table.close(clock.instant());
        }
    }
}
