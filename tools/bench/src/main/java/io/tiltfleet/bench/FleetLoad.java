package io.tiltfleet.bench;

import io.tiltfleet.contract.DevicePayloads;
import io.tiltfleet.contract.TelemetryReading;
import io.tiltfleet.contract.Topics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Background load: many tables in calm 30-degree sessions, spread over a few MQTT connections (the
 * services see tables, not connections), at a fixed total rate.
 */
final class FleetLoad implements AutoCloseable {

    /** The thread that makes the readings: part of the generator's processor share. */
    static final String TICKER_THREAD = "fleet-load";
    private static final int TICKS_PER_SECOND = 100;
    private static final double READING_ANGLE = 30;
    /** Below the rapid-return limit of 15 degrees a second, a reading a second apart. */
    private static final double STEP_OFF_DEG = 10;

    private final String fleetId;
    private final LoadConnections connections;
    private final int tables;
    private final long[] seq;
    /** When each table's last reading was published ({@link System#nanoTime}). */
    private final long[] lastPublished;
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicBoolean open = new AtomicBoolean(true);
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, TICKER_THREAD));
    private final Instant sessionStart = Instant.now();
    private long published;
    private double owed;

    private FleetLoad(String fleetId, LoadConnections connections, int tables) {
        this.fleetId = fleetId;
        this.connections = connections;
        this.tables = tables;
        this.seq = new long[tables];
        this.lastPublished = new long[tables];
    }

    static FleetLoad start(String brokerUri, String fleetId, int tables, int connections, double readingsPerSecond) {
        FleetLoad load = new FleetLoad(fleetId, LoadConnections.connect(brokerUri, "load-" + fleetId, connections), tables);
        double perTick = readingsPerSecond / TICKS_PER_SECOND;
        load.ticker.scheduleAtFixedRate(() -> load.tick(perTick), 0, 1000 / TICKS_PER_SECOND, TimeUnit.MILLISECONDS);
        return load;
    }

    long acknowledged() {
        return acknowledged.get();
    }

    private void tick(double perTick) {
        owed += perTick;
        Instant now = Instant.now();
        while (owed >= 1) {
            owed--;
            int table = (int) (published++ % tables);
            String tableId = tableId(table);
            TelemetryReading reading = new TelemetryReading(fleetId, tableId, ++seq[table], now, sessionId(tableId), READING_ANGLE,
                    elapsedS(now), true);
            lastPublished[table] = System.nanoTime();
            connections.publish(table, Topics.mqttTelemetryTopic(fleetId, tableId), DevicePayloads.telemetry(reading))
                    .thenRun(acknowledged::incrementAndGet);
        }
    }

    /**
     * Every table falls silent at once, in the middle of its session, as when a site loses its network:
     * no more readings, no step-off.
     *
     * @return per table id, when its last reading was published ({@link System#nanoTime})
     */
    Map<String, Long> abandon() throws InterruptedException {
        open.set(false);
        ticker.shutdown();
        ticker.awaitTermination(5, TimeUnit.SECONDS);
        connections.close();
        Map<String, Long> last = new HashMap<>();
        for (int table = 0; table < tables; table++) {
            last.put(tableId(table), lastPublished[table]);
        }
        return last;
    }

    private static String tableId(int table) {
        return "load-" + table;
    }

    private double elapsedS(Instant now) {
        return (now.toEpochMilli() - sessionStart.toEpochMilli()) / 1000.0;
    }

    /** Each load is a new session on every table, as after a reboot: its seq starts again at 1. */
    private String sessionId(String tableId) {
        return "s-" + sessionStart.toEpochMilli() + "-" + tableId;
    }

    /**
     * The users step off as people do: every table comes back in steps of 10 degrees a second, then
     * ends its session at 0 degrees, each reading a second after the table's last one, at the load's
     * own rate. Ending all at once, or one after the other with a wait for each acknowledgement, would
     * itself raise an alert on every table (a rapid return, or silence while inverted for the tables
     * reached last) and the next step would be measured in that storm.
     */
    @Override
    public void close() {
        if (!open.compareAndSet(true, false)) {
            return;
        }
        ticker.shutdown(); // the tick under way finishes: interrupted, a publish waiting for room in the client would fail
        try {
            ticker.awaitTermination(5, TimeUnit.SECONDS);
            List<CompletableFuture<Void>> sent = new ArrayList<>();
            for (double angle = READING_ANGLE - STEP_OFF_DEG; angle >= 0; angle -= STEP_OFF_DEG) {
                stepOffRound(angle, sent);
            }
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        connections.close();
    }

    /** One reading of every table at this angle (0 ends its session), spread over a second in the load's order. */
    private void stepOffRound(double angle, List<CompletableFuture<Void>> sent) throws InterruptedException {
        long roundStart = System.nanoTime();
        for (int i = 0; i < tables; i++) {
            int table = (int) (published++ % tables);
            String tableId = tableId(table);
            Instant now = Instant.now();
            TelemetryReading reading = angle > 0
                    ? new TelemetryReading(fleetId, tableId, ++seq[table], now, sessionId(tableId), angle, elapsedS(now), true)
                    : new TelemetryReading(fleetId, tableId, ++seq[table], now, null, 0, 0, true);
            sent.add(connections.publish(table, Topics.mqttTelemetryTopic(fleetId, tableId), DevicePayloads.telemetry(reading))
                    .thenRun(acknowledged::incrementAndGet));
            long dueNanos = roundStart + (i + 1) * 1_000_000_000L / tables;
            long early = dueNanos - System.nanoTime();
            if (early > 1_000_000) {
                TimeUnit.NANOSECONDS.sleep(early);
            }
        }
    }
}
