package io.tiltfleet.embedded;

import io.tiltfleet.contract.TelemetryReading;
import io.tiltfleet.simulator.TablePublisher;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A steady stream of QoS 1 readings from several tables at a fixed total rate, recording which
 * readings the broker acknowledged: what the platform then owes to Kafka.
 */
public final class ReadingStream {

    private static final int TICKS_PER_SECOND = 100;

    private final List<TablePublisher> tables;
    private final String fleetId;
    private final int readingsPerTable;
    private final long[] nextSeq;
    private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "reading-stream"));
    private double owed;

    private ReadingStream(String fleetId, List<TablePublisher> tables, int readingsPerTable) {
        this.fleetId = fleetId;
        this.tables = tables;
        this.readingsPerTable = readingsPerTable;
        this.nextSeq = new long[tables.size()];
    }

    public static ReadingStream start(String fleetId, List<TablePublisher> tables, int readingsPerTable, int readingsPerSecond) {
        ReadingStream stream = new ReadingStream(fleetId, tables, readingsPerTable);
        double perTick = (double) readingsPerSecond / TICKS_PER_SECOND;
        stream.ticker.scheduleAtFixedRate(() -> stream.tick(perTick), 0, 1000 / TICKS_PER_SECOND, TimeUnit.MILLISECONDS);
        return stream;
    }

    /** The id under which a reading is counted: {@code tableId:seq}. */
    public static String idOf(String tableId, long seq) {
        return tableId + ":" + seq;
    }

    public long published() {
        return published.get();
    }

    public Set<String> acknowledged() {
        return Set.copyOf(acknowledged);
    }

    public int total() {
        return tables.size() * readingsPerTable;
    }

    /** Completes when every reading has been published and answered by the broker. */
    public CompletableFuture<Void> done() {
        return done;
    }

    private void tick(double perTick) {
        owed += perTick;
        while (owed >= 1 && published.get() < total()) {
            owed--;
            int table = (int) (published.get() % tables.size());
            long seq = ++nextSeq[table];
            TablePublisher publisher = tables.get(table);
            published.incrementAndGet();
            publisher.publish(new TelemetryReading(fleetId, publisher.tableId(), seq, Instant.now(), "s-" + publisher.tableId(),
                    30 + seq % 20, seq * 0.2, true)).whenComplete((ok, failure) -> {
                        if (failure == null) {
                            acknowledged.add(idOf(publisher.tableId(), seq));
                        } else {
                            failed.incrementAndGet();
                        }
                        if (acknowledged.size() + failed.get() == total()) {
                            ticker.shutdown();
                            done.complete(null);
                        }
                    });
        }
    }
}
