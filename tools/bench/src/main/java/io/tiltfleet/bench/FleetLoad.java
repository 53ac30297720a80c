package io.tiltfleet.bench;

import io.tiltfleet.contract.DevicePayloads;
import io.tiltfleet.contract.TelemetryReading;
import io.tiltfleet.contract.Topics;
import io.tiltfleet.simulator.TablePublisher;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

/**
 * Background load: many tables in calm 30-degree sessions, spread over a few MQTT connections (the
 * services see tables, not connections), at a fixed total rate.
 */
final class FleetLoad implements AutoCloseable {

    private static final int TICKS_PER_SECOND = 100;

    private final String fleetId;
    private final List<TablePublisher> connections;
    private final int tables;
    private final long[] seq;
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicBoolean open = new AtomicBoolean(true);
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "fleet-load"));
    private final Instant sessionStart = Instant.now();
    private long published;
    private double owed;

    private FleetLoad(String fleetId, List<TablePublisher> connections, int tables) {
        this.fleetId = fleetId;
        this.connections = connections;
        this.tables = tables;
        this.seq = new long[tables];
    }

    static FleetLoad start(String brokerUri, String fleetId, int tables, int connections, double readingsPerSecond) {
        FleetLoad load = new FleetLoad(fleetId, TablePublisher.connectAll(brokerUri, fleetId,
                IntStream.range(0, connections).mapToObj(i -> "load-connection-" + i).toList()), tables);
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
            String tableId = "load-" + table;
            TelemetryReading reading = new TelemetryReading(fleetId, tableId, ++seq[table], now, sessionId(tableId), 30,
                    (now.toEpochMilli() - sessionStart.toEpochMilli()) / 1000.0, true);
            connections.get(table % connections.size())
                    .publish(Topics.mqttTelemetryTopic(fleetId, tableId), DevicePayloads.telemetry(reading))
                    .thenRun(acknowledged::incrementAndGet);
        }
    }

    /** Each load is a new session on every table, as after a reboot: its seq starts again at 1. */
    private String sessionId(String tableId) {
        return "s-" + sessionStart.toEpochMilli() + "-" + tableId;
    }

    /** The users step off: every table sends a last reading back at 0 degrees, so that none looks silent while inverted. */
    @Override
    public void close() {
        if (!open.compareAndSet(true, false)) {
            return;
        }
        ticker.shutdownNow();
        try {
            ticker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Instant now = Instant.now();
        for (int table = 0; table < tables; table++) {
            String tableId = "load-" + table;
            connections.get(table % connections.size()).publish(Topics.mqttTelemetryTopic(fleetId, tableId), DevicePayloads.telemetry(
                    new TelemetryReading(fleetId, tableId, ++seq[table], now, null, 0, 0, true))).thenRun(acknowledged::incrementAndGet).join();
        }
        connections.forEach(TablePublisher::close);
    }
}
