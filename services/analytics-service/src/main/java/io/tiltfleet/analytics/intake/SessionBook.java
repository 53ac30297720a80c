package io.tiltfleet.analytics.intake;

import io.tiltfleet.analytics.sessions.SessionReconstructor;
import io.tiltfleet.analytics.sessions.SessionSummary;
import io.tiltfleet.contract.TelemetryReading;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The open sessions of the tables on this instance's partitions, and how far each partition may be
 * committed: never past the first reading of a session still open, so that after a restart or a
 * rebalance its readings are read again and the session is rebuilt whole. Plain Java, driven by the
 * one consumer thread.
 */
final class SessionBook {

    private static final class Table {
        final SessionReconstructor sessions;
        final int partition;
        /** The offset of the first reading of the open session, or -1 while none is open. */
        long openSince = -1;
        /** The newest reading's own time, and when it reached the platform (its record's time). */
        Instant newestReading;
        Instant newestArrived;

        Table(SessionReconstructor sessions, int partition) {
            this.sessions = sessions;
            this.partition = partition;
        }
    }

    private final Duration idleTimeout;
    private final Map<String, Table> tables = new HashMap<>();
    /** Per partition: the offset after the newest record read, and the newest reading time read. */
    private final Map<Integer, Long> nextOffsets = new HashMap<>();
    private final Map<Integer, Instant> partitionTimes = new HashMap<>();

    SessionBook(Duration idleTimeout) {
        this.idleTimeout = idleTimeout;
    }

    static String keyOf(String fleetId, String tableId) {
        return fleetId + "/" + tableId;
    }

    boolean knows(String fleetId, String tableId) {
        return tables.containsKey(keyOf(fleetId, tableId));
    }

    /** Starts following a table from where its closed sessions reach. */
    void follow(String fleetId, String tableId, int partition, SessionReconstructor.Progress progress) {
        tables.put(keyOf(fleetId, tableId), new Table(new SessionReconstructor(fleetId, tableId, idleTimeout, progress), partition));
    }

    /**
     * The sessions this reading closes. The table must be followed.
     *
     * @param arrived when the reading reached the platform: its record's time
     */
    List<SessionSummary> onReading(TelemetryReading reading, int partition, long offset, Instant arrived) {
        Table table = tables.get(keyOf(reading.fleetId(), reading.tableId()));
        if (table.newestReading == null || !reading.ts().isBefore(table.newestReading)) {
            table.newestReading = reading.ts();
            table.newestArrived = arrived;
        }
        List<SessionSummary> closed = table.sessions.onReading(reading);
        if (!closed.isEmpty()) {
            table.openSince = -1;
        }
        if (table.sessions.inSession() && table.openSince < 0) {
            table.openSince = offset;
        }
        nextOffsets.merge(partition, offset + 1, Math::max);
        partitionTimes.merge(partition, reading.ts(), (a, b) -> a.isAfter(b) ? a : b);
        return closed;
    }

    /** A record that holds no reading: nothing waits for it. */
    void skip(int partition, long offset) {
        nextOffsets.merge(partition, offset + 1, Math::max);
    }

    /**
     * Closes the sessions that have been idle for the timeout. A partition's clock is the newest
     * reading read from it while the consumer is behind on it, so that replaying a backlog splits
     * sessions exactly where the live stream did. Once caught up, a table is idle when nothing of it
     * has arrived for the timeout by the wall clock: readings that carry old times (a table's clock
     * behind, a backfill) are not idle merely for being old while the rest of their session is still
     * on its way.
     *
     * @param lag the records still to read per partition; empty when unknown
     */
    List<SessionSummary> closeIdle(Instant wallClock, Map<Integer, OptionalLong> lag) {
        List<SessionSummary> closed = new ArrayList<>();
        for (Table table : tables.values()) {
            OptionalLong behind = lag.getOrDefault(table.partition, OptionalLong.empty());
            Instant now = behind.isPresent() && behind.getAsLong() == 0 ? sinceArrival(table, wallClock)
                    : partitionTimes.getOrDefault(table.partition, Instant.MIN);
            List<SessionSummary> idle = table.sessions.onIdle(now);
            if (!idle.isEmpty()) {
                table.openSince = -1;
                closed.addAll(idle);
            }
        }
        return closed;
    }

    /** The table's own time as of {@code wallClock}: its newest reading's time plus the wall time since that reading arrived. */
    private static Instant sinceArrival(Table table, Instant wallClock) {
        return table.newestReading == null ? wallClock : table.newestReading.plus(Duration.between(table.newestArrived, wallClock));
    }

    /** Per partition read from: the offset up to which every reading is in a stored session or in none. */
    Map<Integer, Long> committable() {
        Map<Integer, Long> offsets = new HashMap<>(nextOffsets);
        tables.values().stream().filter(table -> table.openSince >= 0)
                .forEach(table -> offsets.merge(table.partition, table.openSince, Math::min));
        return offsets;
    }

    /** Forgets the tables of partitions no longer read here; whoever reads them next rebuilds their open sessions. */
    void release(Collection<Integer> partitions) {
        tables.values().removeIf(table -> partitions.contains(table.partition));
        nextOffsets.keySet().removeAll(partitions);
        partitionTimes.keySet().removeAll(partitions);
    }

    /** Forgets everything, to read again from the last commit. */
    void clear() {
        tables.clear();
        nextOffsets.clear();
        partitionTimes.clear();
    }

    SessionReconstructor.Progress progressOf(String fleetId, String tableId) {
        return tables.get(keyOf(fleetId, tableId)).sessions.progress();
    }

    int openSessions() {
        return (int) tables.values().stream().filter(table -> table.sessions.inSession()).count();
    }
}
