package io.tiltfleet.analytics.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiltfleet.contract.TelemetryReading;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Sessions added up reading by reading, with the readings put back in order in a bounded window, are the sessions of
 * the reconstruction that kept every reading ({@link WholeSessionReconstruction}) fed the same readings in order.
 */
class IncrementalSessionsProperties {

    static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");
    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);
    static final int WINDOW = 20;

    /** One reading of a generated table: its angle, its lock, the milliseconds since the one before, and whether a new session begins. */
    record Step(int angleDeg, boolean locked, int gapMs, boolean newSession) {
    }

    /** Where a reading arrives: this many places later than its own, and maybe once more, later still. */
    record Arrival(int delay, boolean repeated, int repeatDelay) {
    }

    @Provide
    Arbitrary<List<Step>> tables() {
        Arbitrary<Integer> angles = Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.integers().between(-10, 0)),
                Tuple.of(40, Arbitraries.integers().between(1, 90)));
        return Combinators.combine(angles, Arbitraries.of(true, false), Arbitraries.integers().between(200, 29_000),
                        Arbitraries.integers().between(0, 99).map(n -> n == 0))
                .as(Step::new).list().ofMinSize(1).ofMaxSize(400);
    }

    @Provide
    Arbitrary<List<Arrival>> arrivals() {
        return Combinators.combine(Arbitraries.integers().between(0, WINDOW - 1), Arbitraries.integers().between(0, 19).map(n -> n == 0),
                Arbitraries.integers().between(0, 3 * WINDOW)).as(Arrival::new).list().ofSize(400);
    }

    @Property(tries = 300)
    void readingsOfASessionInAnyOrderWithinTheWindowGiveTheSessionsOfEveryReadingKept(@ForAll("tables") List<Step> steps,
                                                                                   @ForAll("arrivals") List<Arrival> arrivals) {
        List<TelemetryReading> inOrder = readings(steps, List.of());
        List<TelemetryReading> arriving = scrambled(inOrder, arrivals);

        List<SessionSummary> incremental = incremental(arriving);

        assertThat(incremental).isEqualTo(whole(arriving)).isEqualTo(whole(inOrder));
    }

    /** Sessions of at most the anchor's readings: a longer one is anchored at its first minute, no longer at its whole median. */
    @Property(tries = 300)
    void readingsDatedWrongInOrderGiveTheSameSessions(@ForAll("tables") @Size(max = Timeline.ANCHOR_READINGS) List<Step> steps,
                                                      @ForAll @Size(max = Timeline.ANCHOR_READINGS) List<@IntRange(min = -3, max = 3) Integer> clockErrorDays) {
        List<TelemetryReading> inOrder = readings(steps, clockErrorDays);

        assertThat(incremental(inOrder)).isEqualTo(whole(inOrder));
    }

    /** Readings of one table from its steps, {@code seq} from 1, each dated off by its clock error (in days; 0 for most). */
    static List<TelemetryReading> readings(List<Step> steps, List<Integer> clockErrorDays) {
        List<TelemetryReading> readings = new ArrayList<>();
        Instant at = T0;
        int session = 0;
        boolean inverted = false;
        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            at = at.plusMillis(step.gapMs());
            boolean invertedNow = step.angleDeg() > 0;
            session += invertedNow && (!inverted || step.newSession()) ? 1 : 0;
            inverted = invertedNow;
            int errorDays = i < clockErrorDays.size() && i % 7 == 3 ? clockErrorDays.get(i) : 0;
            readings.add(new TelemetryReading("fleet-1", "table-1", i + 1, at.plus(Duration.ofDays(errorDays)),
                    invertedNow ? "s-" + session : null, step.angleDeg(), i, step.locked()));
        }
        return readings;
    }

    /**
     * The readings as they arrive: a reading that begins or ends a session (the first of a new session id, or one at 0
     * degrees or below) after every reading before it, the others after it and each at most {@code WINDOW - 1} places
     * after their own, so that fewer than {@code WINDOW} later readings come before them; and some once more, at any
     * time later.
     */
    static List<TelemetryReading> scrambled(List<TelemetryReading> readings, List<Arrival> arrivals) {
        record Arriving(TelemetryReading reading, double at) {
        }
        List<Arriving> arriving = new ArrayList<>();
        double lastBoundary = -1;
        double latest = -1;
        for (int i = 0; i < readings.size(); i++) {
            TelemetryReading reading = readings.get(i);
            boolean boundary = i == 0 || reading.angleDeg() <= 0 || reading.sessionId() != null
                    && !reading.sessionId().equals(readings.get(i - 1).sessionId());
            Arrival arrival = arrivals.get(i);
            double at = boundary ? latest + 0.5 : Math.max(lastBoundary + 0.25, i + arrival.delay() + 0.25);
            lastBoundary = boundary ? at : lastBoundary;
            latest = Math.max(latest, at);
            arriving.add(new Arriving(reading, at));
            if (arrival.repeated() && i > 0) {
                arriving.add(new Arriving(reading, at + arrival.repeatDelay() + 0.75));
            }
        }
        return arriving.stream().sorted(Comparator.comparingDouble(Arriving::at)).map(Arriving::reading).toList();
    }

    static List<SessionSummary> incremental(List<TelemetryReading> arriving) {
        SessionReconstructor table = new SessionReconstructor("fleet-1", "table-1", IDLE_TIMEOUT, WINDOW, SessionReconstructor.Progress.NONE);
        List<SessionSummary> closed = new ArrayList<>();
        IntStream.range(0, arriving.size()).forEach(i -> closed.addAll(table.onReading(arriving.get(i), i)));
        closed.addAll(table.onSilence());
        assertThat(table.late()).isZero();
        assertThat(table.holdsReadings()).isFalse();
        return closed;
    }

    static List<SessionSummary> whole(List<TelemetryReading> inOrder) {
        WholeSessionReconstruction table = new WholeSessionReconstruction("fleet-1", "table-1", IDLE_TIMEOUT);
        List<SessionSummary> closed = new ArrayList<>();
        inOrder.forEach(reading -> closed.addAll(table.onReading(reading)));
        closed.addAll(table.onSilence());
        return closed;
    }
}
