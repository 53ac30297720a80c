package io.tiltfleet.analytics.sessions;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Places the readings of one session in time as they come, in {@code seq} order. A table's clock is not trusted
 * blindly: the session is anchored at the median time of its first {@link #ANCHOR_READINGS} readings, which a
 * minority of wrong clocks cannot move; from there outwards each reading keeps its own time where it lies between
 * its neighbours and within the idle timeout of the one towards the anchor, and else takes the nearest time that
 * does. A reading dated 0001-01-01 or a day ahead among readings a second apart thus counts as held next to them, and
 * a session spans at most its readings times the idle timeout. Readings in order with gaps within the timeout keep
 * their own times, wherever the anchor lies. Until anchored, the first readings wait here; after that only the
 * newest does, whose time depends on its successor's.
 */
final class Timeline {

    /** The readings whose median anchors a session: its first minute, at one reading a second. */
    static final int ANCHOR_READINGS = 60;

    /** Receives each reading with the time it counts at, in {@code seq} order. */
    interface Placed {
        void at(Sample sample, Instant time);
    }

    private final Duration idleTimeout;
    private final Placed placed;
    private List<Sample> first = new ArrayList<>();
    private Sample newest;
    private Instant previousTime;

    Timeline(Duration idleTimeout, Placed placed) {
        this.idleTimeout = idleTimeout;
        this.placed = placed;
    }

    void add(Sample sample) {
        if (first != null) {
            first.add(sample);
            if (first.size() > ANCHOR_READINGS) {
                anchor();
            }
            return;
        }
        place(newest, sample.ts());
        newest = sample;
    }

    /** The session closes: places what still waits. */
    void finish() {
        if (first != null) {
            anchor();
        } else {
            place(newest, null);
        }
    }

    /** Places the first readings, all but one whose successor is not there yet if there are more than the anchor's. */
    private void anchor() {
        List<Sample> samples = first;
        first = null;
        int anchored = Math.min(samples.size(), ANCHOR_READINGS);
        int anchor = IntStream.range(0, anchored).boxed().sorted(Comparator.comparing(i -> samples.get(i).ts()))
                .toList().get((anchored - 1) / 2);
        Instant[] times = new Instant[anchored];
        times[anchor] = samples.get(anchor).ts();
        for (int i = anchor - 1; i >= 0; i--) {
            Instant latest = times[i + 1];
            Instant earliest = latest.minus(idleTimeout);
            if (i > 0 && within(samples.get(i - 1).ts(), earliest, latest)) {
                earliest = samples.get(i - 1).ts();
            }
            times[i] = clamp(samples.get(i).ts(), earliest, latest);
        }
        for (int i = 0; i <= anchor; i++) {
            placed.at(samples.get(i), times[i]);
        }
        previousTime = times[anchor];
        for (int i = anchor + 1; i < anchored; i++) {
            place(samples.get(i), i + 1 < samples.size() ? samples.get(i + 1).ts() : null);
        }
        newest = anchored < samples.size() ? samples.get(anchored) : null;
    }

    /** A reading after the anchor: after the one before it, within the idle timeout of it, and before its successor if that one is. */
    private void place(Sample sample, Instant successorTs) {
        Instant earliest = previousTime;
        Instant latest = earliest.plus(idleTimeout);
        if (successorTs != null && within(successorTs, earliest, latest)) {
            latest = successorTs;
        }
        previousTime = clamp(sample.ts(), earliest, latest);
        placed.at(sample, previousTime);
    }

    private static boolean within(Instant time, Instant earliest, Instant latest) {
        return !time.isBefore(earliest) && !time.isAfter(latest);
    }

    private static Instant clamp(Instant time, Instant earliest, Instant latest) {
        return time.isBefore(earliest) ? earliest : time.isAfter(latest) ? latest : time;
    }
}
