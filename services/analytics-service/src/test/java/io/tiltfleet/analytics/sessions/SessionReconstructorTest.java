package io.tiltfleet.analytics.sessions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tiltfleet.contract.TelemetryReading;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SessionReconstructorTest {

    static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

    /** Readings one second apart from T0 + startSecond, angles as given; sessionId while above 0. */
    static List<TelemetryReading> script(long firstSeq, int startSecond, String sessionId, double... angles) {
        List<TelemetryReading> readings = new ArrayList<>();
        for (int i = 0; i < angles.length; i++) {
            readings.add(new TelemetryReading("fleet-1", "table-1", firstSeq + i, T0.plusSeconds(startSecond + i),
                    angles[i] > 0 ? sessionId : null, angles[i], i, true));
        }
        return readings;
    }

    static SessionReconstructor table(SessionReconstructor.Progress resumeFrom) {
        return new SessionReconstructor("fleet-1", "table-1", Duration.ofSeconds(30), 120, resumeFrom);
    }

    static List<SessionSummary> feed(List<TelemetryReading> readings) {
        SessionReconstructor tables = table(SessionReconstructor.Progress.NONE);
        List<SessionSummary> closed = new ArrayList<>();
        readings.forEach(reading -> closed.addAll(tables.onReading(reading, 0)));
        return closed;
    }

    static double[] ramp(double... points) {
        return points;
    }

    @Test
    void sessionFiguresAreExactToTheSecond() {
        // 0 -> 10 -> 30 -> 50 -> 50 -> 70 -> 45 -> 0: one reading a second
        List<SessionSummary> sessions = feed(script(1, 0, "s-1", ramp(0, 10, 30, 50, 50, 70, 45, 0)));

        assertThat(sessions).hasSize(1);
        SessionSummary session = sessions.get(0);
        assertThat(session.start()).isEqualTo(T0.plusSeconds(1));        // the first reading above 0
        assertThat(session.end()).isEqualTo(T0.plusSeconds(7));          // back at 0
        assertThat(session.duration()).isEqualTo(Duration.ofSeconds(6));
        assertThat(session.maxAngleDeg()).isEqualTo(70);
        assertThat(session.secondsPerBand()).containsEntry(AngleBand.FLAT_0_20, 1.0)   // at 10 for 1 s
                .containsEntry(AngleBand.BAND_20_40, 1.0)                                // at 30
                .containsEntry(AngleBand.BAND_40_60, 3.0)                                // at 50, 50, then 45
                .containsEntry(AngleBand.STEEP_60_75, 1.0);                              // at 70
        assertThat(session.invertedSeconds()).isEqualTo(6.0);
        assertThat(session.steepExcursions()).isEqualTo(1);
        assertThat(session.endedBy()).isEqualTo(SessionSummary.EndReason.RETURNED_UPRIGHT);
        assertThat(session.id()).isEqualTo("fleet-1/table-1/s-1/" + T0.plusSeconds(1).toEpochMilli());
    }

    @Test
    void duplicatedAndShuffledReadingsGiveTheSameSession() {
        List<TelemetryReading> ordered = script(1, 0, "s-1", ramp(0, 20, 40, 65, 80, 65, 40, 20, 0));
        List<TelemetryReading> messy = new ArrayList<>(ordered.subList(0, 8));
        messy.addAll(ordered.subList(2, 6));          // replayed
        Collections.shuffle(messy, new Random(7));    // and reordered; the closing reading comes last
        messy.add(ordered.get(8));

        assertThat(feed(messy)).isEqualTo(feed(ordered));
        assertThat(feed(ordered).get(0).steepExcursions()).isEqualTo(1);
        assertThat(feed(ordered).get(0).secondsPerBand().get(AngleBand.STEEP_75_90)).isEqualTo(1.0);
    }

    @Test
    void replayingAClosedSessionChangesNothing() {
        List<TelemetryReading> session = script(1, 0, "s-1", ramp(0, 30, 30, 0));
        SessionReconstructor table = table(SessionReconstructor.Progress.NONE);
        session.forEach(reading -> table.onReading(reading, 0));

        List<SessionSummary> replayed = new ArrayList<>();
        session.forEach(reading -> replayed.addAll(table.onReading(reading, 0)));

        assertThat(replayed).isEmpty();
    }

    @Test
    void silenceSplitsASessionInTwo() {
        SessionReconstructor table = table(SessionReconstructor.Progress.NONE);
        script(1, 0, "s-1", ramp(30, 30, 30)).forEach(reading -> table.onReading(reading, 0));

        // nothing of the table came for the timeout (the caller judges by when readings arrive); then more, same session id
        List<SessionSummary> sessions = new ArrayList<>(table.onSilence());
        script(4, 100, "s-1", ramp(40, 40, 0)).forEach(reading -> sessions.addAll(table.onReading(reading, 0)));

        assertThat(sessions).extracting(SessionSummary::endedBy)
                .containsExactly(SessionSummary.EndReason.IDLE_TIMEOUT, SessionSummary.EndReason.RETURNED_UPRIGHT);
        assertThat(sessions.get(0).duration()).isEqualTo(Duration.ofSeconds(2));
        assertThat(sessions.get(1).start()).isEqualTo(T0.plusSeconds(100));
        assertThat(sessions.get(0).id()).isNotEqualTo(sessions.get(1).id());
    }

    @ParameterizedTest(name = "reading {0} dated {1}")
    @CsvSource(delimiter = '|', value = {
            // seq of the session's readings (2-7) | dated             | session start, end (s after T0)
            "4 | 0001-01-01T00:00:00Z                | 1 | 6",    // a clock never set: held next to its neighbours
            "4 | 2026-10-26T10:00:00Z                | 1 | 6",    // 30 days behind
            "4 | 2026-11-26T09:00:00Z                | 1 | 6",    // 23 hours ahead
            "5 | 2026-11-25T10:00:01Z                | 1 | 6",    // 3 s behind: not after its predecessor
            "2 | 2026-11-24T10:00:00Z                | -28 | 6",  // the first, a day behind: at most the idle timeout before the next
            "7 | 2026-11-26T10:00:00Z                | 1 | 35"})  // the last, a day ahead: at most the idle timeout after the one before
    void oneReadingDatedWrongNeverStretchesItsSessionBeyondItsNeighbours(long seq, Instant dated, int start, int end) {
        // upright, 5 s at 30 degrees one reading a second, upright again; one reading's clock is wrong
        List<TelemetryReading> readings = script(1, 0, "s-1", ramp(0, 30, 30, 30, 30, 30, 0)).stream()
                .map(r -> r.seq() == seq ? new TelemetryReading(r.fleetId(), r.tableId(), r.seq(), dated, r.sessionId(), r.angleDeg(),
                        r.elapsedS(), r.locked()) : r)
                .toList();

        List<SessionSummary> sessions = feed(readings);

        assertThat(sessions).singleElement().satisfies(session -> {
            assertThat(session.endedBy()).isEqualTo(SessionSummary.EndReason.RETURNED_UPRIGHT);
            assertThat(session.start()).isEqualTo(T0.plusSeconds(start));
            assertThat(session.end()).isEqualTo(T0.plusSeconds(end));
            assertThat(session.invertedSeconds()).isEqualTo(end - start);
            assertThat(session.readings()).isEqualTo(6);
            // the quarter hours it is cut into: those of its span, never the years to a wrong date
            List<Instant> spanned = start < 0 ? List.of(T0.minusSeconds(900), T0) : List.of(T0);
            assertThat(session.slices()).extracting(QuarterSlice::start).isEqualTo(spanned);
        });
    }

    @Test
    void aNewSessionIdClosesTheOpenSessionAndARebootMayRestartSeq() {
        List<TelemetryReading> readings = new ArrayList<>(script(50, 0, "s-1", ramp(30, 35, 35)));
        readings.addAll(script(1, 5, "s-2", ramp(20, 25, 0)));   // rebooted: seq starts again, new session

        List<SessionSummary> sessions = feed(readings);

        assertThat(sessions).extracting(SessionSummary::sessionId).containsExactly("s-1", "s-2");
        assertThat(sessions.get(0).endedBy()).isEqualTo(SessionSummary.EndReason.NEW_SESSION);
        assertThat(sessions.get(1).secondsPerBand().get(AngleBand.BAND_20_40)).isCloseTo(2.0, within(1e-9));
    }

    @Test
    void aSessionAcrossAQuarterHourCountsEachSecondInItsOwnQuarter() {
        // 10:59:58 at 30, 10:59:59 at 30, 11:00:00 at 50, 11:00:01 at 50, 11:00:02 back at 0
        Instant beforeEleven = Instant.parse("2026-11-25T10:59:58Z");
        List<TelemetryReading> readings = new ArrayList<>();
        double[] angles = {30, 30, 50, 50, 0};
        for (int i = 0; i < angles.length; i++) {
            readings.add(new TelemetryReading("fleet-1", "table-1", i + 1, beforeEleven.plusSeconds(i), angles[i] > 0 ? "s-1" : null,
                    angles[i], i, true));
        }

        SessionSummary session = feed(readings).get(0);

        assertThat(session.slices()).hasSize(2);
        QuarterSlice tenOClock = session.slices().get(0);
        QuarterSlice elevenOClock = session.slices().get(1);
        assertThat(tenOClock.start()).isEqualTo(Instant.parse("2026-11-25T10:45:00Z"));
        assertThat(elevenOClock.start()).isEqualTo(Instant.parse("2026-11-25T11:00:00Z"));
        assertThat(tenOClock.startsSession()).isTrue();                       // the session counts once, in the quarter it began
        assertThat(tenOClock.secondsPerBand()).containsEntry(AngleBand.BAND_20_40, 2.0);
        assertThat(tenOClock.angleSeconds()).isEqualTo(60.0);                 // 2 s at 30 degrees
        assertThat(elevenOClock.startsSession()).isFalse();
        assertThat(elevenOClock.secondsPerBand()).containsEntry(AngleBand.BAND_40_60, 2.0);
        assertThat(elevenOClock.maxAngleDeg()).isEqualTo(50.0);
        assertThat(session.meanAngleDeg()).isEqualTo(40.0);                  // (60 + 100) degree-seconds over 4 s
    }

    @Test
    void aReadingHeldAcrossTheQuarterIsSplitAtTheBoundary() {
        Instant lateInTheHour = Instant.parse("2026-11-25T10:29:50Z");
        List<TelemetryReading> readings = List.of(
                new TelemetryReading("fleet-1", "table-1", 1, lateInTheHour, "s-1", 45, 0, true),
                new TelemetryReading("fleet-1", "table-1", 2, lateInTheHour.plusSeconds(25), null, 0, 25, true));

        SessionSummary session = feed(readings).get(0);

        assertThat(session.slices()).extracting(slice -> slice.secondsPerBand().get(AngleBand.BAND_40_60)).containsExactly(10.0, 15.0);
        assertThat(session.invertedSeconds()).isEqualTo(25.0);
    }

    @Test
    void aReconstructorResumedFromStoredProgressDoesNotCountClosedSessionsAgain() {
        List<TelemetryReading> first = script(1, 0, "s-1", ramp(0, 30, 30, 0));
        List<TelemetryReading> second = script(5, 10, "s-2", ramp(40, 40, 0));
        SessionReconstructor before = table(SessionReconstructor.Progress.NONE);
        first.forEach(reading -> before.onReading(reading, 0));

        // a restart: the progress comes back from storage, the topic is read again from the start
        SessionReconstructor after = table(before.progress());
        List<SessionSummary> closed = new ArrayList<>();
        first.forEach(reading -> closed.addAll(after.onReading(reading, 0)));
        second.forEach(reading -> closed.addAll(after.onReading(reading, 0)));

        assertThat(closed).extracting(SessionSummary::sessionId).containsExactly("s-2");
    }

    @Test
    void aReadingThatComesAfterTheWindowHasPassedItIsCountedLateAndADuplicateIsNot() {
        SessionReconstructor table = new SessionReconstructor("fleet-1", "table-1", Duration.ofSeconds(30), 3, SessionReconstructor.Progress.NONE);
        List<TelemetryReading> readings = script(1, 0, "s-1", ramp(0, 30, 40, 40, 50, 50, 0));
        List<SessionSummary> closed = new ArrayList<>();
        for (int i : new int[] {0, 2, 3, 4, 5}) {                  // seq 2 is missing: 3 waits until the window of 3 is full
            closed.addAll(table.onReading(readings.get(i), i));
        }
        assertThat(table.late()).isZero();

        closed.addAll(table.onReading(readings.get(1), 1));       // seq 2, after 3 to 6 were counted
        closed.addAll(table.onReading(readings.get(3), 3));       // a duplicate of seq 4
        closed.addAll(table.onReading(readings.get(6), 6));

        assertThat(table.late()).isEqualTo(1);
        assertThat(closed).singleElement().satisfies(session -> {
            assertThat(session.start()).isEqualTo(T0.plusSeconds(2));
            assertThat(session.readings()).isEqualTo(5);
        });
    }

    @Test
    void aTableRebootedAfterAClosedSessionHasItsNextSessionWholeThoughItsSeqStartsAgainBelow() {
        SessionReconstructor table = table(SessionReconstructor.Progress.NONE);
        List<SessionSummary> closed = new ArrayList<>();
        script(4990, 0, "s-1", ramp(0, 30, 30, 30, 0)).forEach(reading -> closed.addAll(table.onReading(reading, 0)));
        double[] held = new double[300];
        java.util.Arrays.fill(held, 40);
        List<TelemetryReading> afterReboot = new ArrayList<>(script(1, 60, "s-2", ramp(0)));
        afterReboot.addAll(script(2, 61, "s-2", held));
        afterReboot.addAll(script(302, 361, "s-2", ramp(0)));
        afterReboot.forEach(reading -> closed.addAll(table.onReading(reading, 0)));

        assertThat(closed).extracting(SessionSummary::sessionId).containsExactly("s-1", "s-2");
        assertThat(closed.get(1).readings()).isEqualTo(301);
        assertThat(closed.get(1).duration()).isEqualTo(Duration.ofSeconds(300));
    }

    @Test
    void aReadingSentAgainWithItsClockAheadIsNoReboot() {
        SessionReconstructor table = table(SessionReconstructor.Progress.NONE);
        List<TelemetryReading> readings = script(1, 0, "s-1", ramp(0, 30, 30, 30, 30, 0));
        List<SessionSummary> closed = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            closed.addAll(table.onReading(readings.get(i), i));
        }
        TelemetryReading again = readings.get(2);
        closed.addAll(table.onReading(new TelemetryReading(again.fleetId(), again.tableId(), again.seq(), again.ts().plusSeconds(3600),
                again.sessionId(), again.angleDeg(), again.elapsedS(), again.locked()), 5));
        closed.addAll(table.onReading(readings.get(5), 6));

        assertThat(closed).singleElement().satisfies(session -> {
            assertThat(session.readings()).isEqualTo(5);
            assertThat(session.duration()).isEqualTo(Duration.ofSeconds(4));
        });
        assertThat(table.late()).isZero();
    }
}
