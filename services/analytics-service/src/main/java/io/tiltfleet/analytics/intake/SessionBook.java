package io.tiltfleet.analytics.intake;

import io.tiltfleet.analytics.sessions.SessionReconstructor;
import io.tiltfleet.analytics.sessions.SessionSummary;
import io.tiltfleet.contract.TableRef;
import io.tiltfleet.contract.TelemetryReading;
import io.tiltfleet.streamtime.PartitionClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The open sessions of the tables on this instance's partitions, and how far each partition may be
 * committed: never past the first reading of a session still open or of a reading still waiting to be
 * put in order, so that after a restart or a rebalance its readings are read again and the session is
 * rebuilt whole. Time here is the platform's, never a table's own clock: a session closes once nothing
 * of its table has come for the idle timeout and the allowed arrival disorder (see {@link #closeIdle}), and a reading dated further than the allowed skew from its record's time is
 * not counted at all. One table whose clock runs ahead can then close nothing but, at most, its own
 * session. Plain Java, driven by the one consumer thread.
 */
final class SessionBook {

    private static final class Table {
        final SessionReconstructor sessions;
        final int partition;
        /** When the newest record of the table reached the platform: its record's time. */
        Instant lastArrived = Instant.MIN;
        /** When this instance last read a record of the table: the wall clock of the first check after it. */
        Instant lastRead = Instant.MIN;
        boolean readSinceCheck;

        Table(SessionReconstructor sessions, int partition) {
            this.sessions = sessions;
            this.partition = partition;
        }
    }

    private final Duration idleTimeout;
    private final Duration silence;
    private final int reorderWindow;
    private final Duration maxClockSkew;
    private final Map<String, Table> tables = new HashMap<>();
    /** Per partition: the offset after the newest record read. */
    private final Map<Integer, Long> nextOffsets = new HashMap<>();
    private PartitionClock time = new PartitionClock();
    private long late;

    /**
     * @param idleTimeout     the longest gap between two readings of a session counted as held
     * @param arrivalDisorder how late readings a table buffered may arrive and still join their session: a session
     *                        closes once nothing of its table has come for the idle timeout and this
     * @param reorderWindow   how many readings of a table are held to put them back in {@code seq} order
     * @param maxClockSkew    how far a reading's own time may be from its record's time, either way, to be counted
     */
    SessionBook(Duration idleTimeout, Duration arrivalDisorder, int reorderWindow, Duration maxClockSkew) {
        this.idleTimeout = idleTimeout;
        this.silence = idleTimeout.plus(arrivalDisorder);
        this.reorderWindow = reorderWindow;
        this.maxClockSkew = maxClockSkew;
    }

    static String keyOf(String fleetId, String tableId) {
        return new TableRef(fleetId, tableId).key();
    }

    boolean knows(String fleetId, String tableId) {
        return tables.containsKey(keyOf(fleetId, tableId));
    }

    /** Starts following a table from where its closed sessions reach. */
    void follow(String fleetId, String tableId, int partition, SessionReconstructor.Progress progress) {
        tables.put(keyOf(fleetId, tableId), new Table(new SessionReconstructor(fleetId, tableId, idleTimeout, reorderWindow, progress), partition));
    }

    /**
     * Whether a reading is dated plausibly enough to be counted: within the allowed skew of when it
     * reached the platform. The ingest refuses the others; this guards against what it let through before.
     *
     * @param arrived when the reading reached the platform: its record's time
     */
    boolean trusts(TelemetryReading reading, Instant arrived) {
        return Duration.between(arrived, reading.ts()).abs().compareTo(maxClockSkew) <= 0;
    }

    /**
     * The sessions this reading closes. The table must be followed. A session of the table that nothing
     * has reached for that long before this record closes first, as it would have on the live
     * stream, so that reading a backlog in one batch splits sessions where the live stream did.
     *
     * @param arrived when the reading reached the platform: its record's time
     */
    List<SessionSummary> onReading(TelemetryReading reading, int partition, long offset, Instant arrived) {
        Table table = tables.get(keyOf(reading.fleetId(), reading.tableId()));
        List<SessionSummary> closed = new ArrayList<>(silent(table, table.lastArrived, arrived));
        table.lastArrived = later(table.lastArrived, arrived);
        table.readSinceCheck = true;
        long lateBefore = table.sessions.late();
        closed.addAll(table.sessions.onReading(reading, offset));
        late += table.sessions.late() - lateBefore;
        nextOffsets.merge(partition, offset + 1, Math::max);
        time.read(partition, arrived);
        return closed;
    }

    /** A record that holds no reading (or none to count): nothing waits for it. */
    void skip(int partition, long offset) {
        nextOffsets.merge(partition, offset + 1, Math::max);
    }

    /**
     * Closes the sessions of tables of which nothing has come for that long. While the consumer is
     * behind on a partition, that is judged by the records' times: nothing of the table arrived for as
     * long before the newest record read from the partition, so that replaying a backlog closes
     * sessions where the live stream did. Once caught up, by the wall clock: nothing of the table was read
     * for the timeout (records stamped minutes ago, as a producer's retries after an outage send them,
     * are not idle while they are still being read). A table's own clock, ahead or behind, moves nobody's
     * sessions but its own figures.
     *
     * @param lag the records still to read per partition; empty when unknown
     */
    List<SessionSummary> closeIdle(Instant wallClock, Map<Integer, OptionalLong> lag) {
        time.looked(wallClock, lag);
        List<SessionSummary> closed = new ArrayList<>();
        for (Table table : tables.values()) {
            if (table.readSinceCheck) {
                table.lastRead = wallClock;
                table.readSinceCheck = false;
            }
            Optional<Instant> now = time.now(table.partition, wallClock);
            if (now.isPresent()) {
                closed.addAll(silent(table, time.caughtUp(table.partition) ? table.lastRead : table.lastArrived, now.get()));
            }
        }
        return closed;
    }

    private List<SessionSummary> silent(Table table, Instant lastCame, Instant now) {
        if (!table.sessions.holdsReadings() || Duration.between(lastCame, now).compareTo(silence) <= 0) {
            return List.of();
        }
        return table.sessions.onSilence();
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    /** Per partition read from: the offset up to which every reading is in a stored session or in none. */
    Map<Integer, Long> committable() {
        Map<Integer, Long> offsets = new HashMap<>(nextOffsets);
        tables.values().forEach(table -> table.sessions.heldSince().ifPresent(held -> offsets.merge(table.partition, held, Math::min)));
        return offsets;
    }

    /** How many readings came after later ones of their table had been counted, since the last call. */
    long takeLate() {
        long taken = late;
        late = 0;
        return taken;
    }

    /** Partitions newly read here: behind on them until the consumer knows it has read what they hold. */
    void assigned(Collection<Integer> partitions) {
        time.forget(partitions);
    }

    /** Forgets the tables of partitions no longer read here; whoever reads them next rebuilds their open sessions. */
    void release(Collection<Integer> partitions) {
        tables.values().removeIf(table -> partitions.contains(table.partition));
        nextOffsets.keySet().removeAll(partitions);
        time.forget(partitions);
    }

    /** Forgets everything, to read again from the last commit. */
    void clear() {
        tables.clear();
        nextOffsets.clear();
        late = 0;
        time = new PartitionClock();
    }

    SessionReconstructor.Progress progressOf(String fleetId, String tableId) {
        return tables.get(keyOf(fleetId, tableId)).sessions.progress();
    }

    int openSessions() {
        return (int) tables.values().stream().filter(table -> table.sessions.inSession()).count();
    }
}
