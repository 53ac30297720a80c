package io.tiltfleet.streamtime;

import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The time a consumer judges silence by, per partition. While it is behind on a partition, time there is
 * the newest record time read from it, so that reading a backlog (after a restart, a rebalance or an
 * outage) closes and raises exactly what the live stream would have, and never makes the tables whose
 * next records still wait look silent. Once the consumer knows it has read everything the partition
 * holds (its lag is 0), time there is the wall clock of its last look at it.
 * <p>
 * Being behind is judged by the consumer's lag only, never by the size of a poll (a small poll may come
 * from a backlog fetched in parts), and a lag not known yet counts as behind: just after an assignment,
 * polls come back empty before the first fetch while the backlog is still unread. Thread-safe: the
 * consumer thread reports, a timer may ask.
 */
public final class PartitionClock {

    private final Map<Integer, Instant> newestRecord = new HashMap<>();
    private final Set<Integer> caughtUp = new HashSet<>();
    private Instant lookedAt = Instant.EPOCH;

    /** A record of the partition was read; {@code recordTime} is when it reached the platform. */
    public synchronized void read(int partition, Instant recordTime) {
        newestRecord.merge(partition, recordTime, (a, b) -> a.isAfter(b) ? a : b);
    }

    /**
     * The consumer looked at its partitions at {@code at} (a poll, with or without records).
     *
     * @param lag per partition, the records still to read as the consumer knows them; an unknown lag
     *            counts as a backlog (a consumer that stopped fetching a partition may be far behind on
     *            it), and a partition left out keeps what was known of it
     */
    public synchronized void looked(Instant at, Map<Integer, OptionalLong> lag) {
        lookedAt = at;
        lag.forEach((partition, behind) -> {
            if (behind.isPresent() && behind.getAsLong() == 0) {
                caughtUp.add(partition);
            } else {
                caughtUp.remove(partition);
            }
        });
    }

    /** Whether the consumer has read everything the partition held when it last looked. */
    public synchronized boolean caughtUp(int partition) {
        return caughtUp.contains(partition);
    }

    /**
     * The time on the partition: the last look, though never later than {@code wallClock}, once caught
     * up; the newest record time read while behind; empty while behind with nothing read yet.
     */
    public synchronized Optional<Instant> now(int partition, Instant wallClock) {
        if (caughtUp.contains(partition)) {
            return Optional.of(lookedAt.isBefore(wallClock) ? lookedAt : wallClock);
        }
        return Optional.ofNullable(newestRecord.get(partition));
    }

    /** Partitions assigned anew or taken away: nothing read from them counts, and they are behind until a look says otherwise. */
    public synchronized void forget(Collection<Integer> partitions) {
        newestRecord.keySet().removeAll(partitions);
        caughtUp.removeAll(partitions);
    }
}
