package io.tiltfleet.analytics.intake;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiltfleet.analytics.sessions.SessionReconstructor;
import io.tiltfleet.analytics.sessions.SessionSummary;
import io.tiltfleet.contract.TelemetryReading;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Sessions closed by the platform's time, not the tables' clocks; commits held back by open sessions. */
class SessionBookTest {

    static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

    final SessionBook book = new SessionBook(Duration.ofSeconds(30), Duration.ZERO, 120, Duration.ofDays(1));

    static TelemetryReading reading(String table, long seq, int second, double angle) {
        return new TelemetryReading("fleet-1", table, seq, T0.plusSeconds(second), angle > 0 ? "s-" + table : null, angle, second, true);
    }

    @Test
    void aPartitionIsCommittedUpToTheFirstReadingOfItsOldestOpenSession() {
        book.follow("fleet-1", "a", 0, SessionReconstructor.Progress.NONE);
        book.follow("fleet-1", "b", 0, SessionReconstructor.Progress.NONE);
        book.onReading(reading("a", 1, 0, 0), 0, 100, T0.plusSeconds(0));      // upright: nothing open
        book.onReading(reading("a", 2, 1, 30), 0, 101, T0.plusSeconds(1));     // a's session opens at offset 101
        book.onReading(reading("b", 1, 1, 40), 0, 102, T0.plusSeconds(1));     // b's at 102
        book.onReading(reading("b", 2, 2, 0), 0, 103, T0.plusSeconds(2));      // b's closes

        // Then only a's open session holds the partition back
        assertThat(book.committable()).containsEntry(0, 101L);

        // When a's session closes too, everything read may be committed
        assertThat(book.onReading(reading("a", 3, 2, 0), 0, 104, T0.plusSeconds(2))).hasSize(1);
        assertThat(book.committable()).containsEntry(0, 105L);
    }

    @Test
    void aLaggingPartitionJudgesIdlenessByItsRecordsTimesNotByTheWallClock() {
        book.follow("fleet-1", "a", 0, SessionReconstructor.Progress.NONE);
        book.follow("fleet-1", "b", 0, SessionReconstructor.Progress.NONE);
        book.onReading(reading("a", 1, 0, 30), 0, 1, T0.plusSeconds(0));
        book.onReading(reading("b", 1, 10, 30), 0, 2, T0.plusSeconds(10));
        Instant muchLater = T0.plusSeconds(3600);

        // Behind on the partition: its time is its newest record's, 10 s, nobody idle yet, whatever the wall clock says
        assertThat(book.closeIdle(muchLater, Map.of(0, OptionalLong.of(500)))).isEmpty();

        // Further readings of b move the partition's time past a's timeout
        book.onReading(reading("b", 2, 40, 30), 0, 3, T0.plusSeconds(40));
        assertThat(book.closeIdle(muchLater, Map.of(0, OptionalLong.of(499)))).extracting(SessionSummary::tableId).containsExactly("a");

        // Caught up: once nothing of b has been read for the timeout by the wall clock, b closes too
        assertThat(book.closeIdle(muchLater.plusSeconds(29), Map.of(0, OptionalLong.of(0)))).isEmpty();
        assertThat(book.closeIdle(muchLater.plusSeconds(31), Map.of(0, OptionalLong.of(0)))).extracting(SessionSummary::tableId).containsExactly("b");
        assertThat(book.committable()).containsEntry(0, 4L);
    }

    @Test
    void caughtUpReadingsStampedLongAgoAreIdleOnlyOnceNothingOfTheirTableWasReadForTheTimeout() {
        book.follow("fleet-1", "a", 0, SessionReconstructor.Progress.NONE);
        // readings dated two hours ago, and so are their records (a backfill, a producer's retries after an outage), read now
        book.onReading(reading("a", 1, 0, 30), 0, 1, T0);
        book.onReading(reading("a", 2, 1, 30), 0, 2, T0.plusSeconds(1));
        Instant now = T0.plusSeconds(7200);
        Map<Integer, OptionalLong> caughtUp = Map.of(0, OptionalLong.of(0));

        // The rest of the session is still on its way: not idle, however old its records are
        assertThat(book.closeIdle(now, caughtUp)).isEmpty();
        assertThat(book.closeIdle(now.plusSeconds(29), caughtUp)).isEmpty();

        // Nothing more of the table read for the timeout: idle
        assertThat(book.closeIdle(now.plusSeconds(31), caughtUp)).extracting(SessionSummary::tableId).containsExactly("a");
    }

    @Test
    void aTableWhoseClockRunsAheadClosesNoOtherSessionOfItsPartition() {
        book.follow("fleet-1", "a", 0, SessionReconstructor.Progress.NONE);
        book.follow("fleet-1", "fast", 0, SessionReconstructor.Progress.NONE);
        book.onReading(reading("a", 1, 0, 30), 0, 1, T0);
        // a table whose clock is 12 hours ahead, on the same partition, its reading arriving a second later
        book.onReading(reading("fast", 1, 12 * 3600, 30), 0, 2, T0.plusSeconds(1));
        Map<Integer, OptionalLong> behind = Map.of(0, OptionalLong.of(500));

        // While the consumer catches up, the partition's time is its records' (1 s), not the fast clock's: a stays open
        assertThat(book.closeIdle(T0.plusSeconds(3600), behind)).isEmpty();
        assertThat(book.openSessions()).isEqualTo(2);
        assertThat(book.committable()).containsEntry(0, 1L);

        // Records arriving past a's timeout close it, and only it
        book.onReading(reading("fast", 2, 12 * 3600 + 20, 30), 0, 3, T0.plusSeconds(20));
        book.onReading(reading("fast", 3, 12 * 3600 + 40, 30), 0, 4, T0.plusSeconds(40));
        assertThat(book.closeIdle(T0.plusSeconds(3600), behind)).extracting(SessionSummary::tableId).containsExactly("a");
    }

    @Test
    void aReadingDatedAheadButArrivingOnTimeNeitherSplitsNorStretchesItsSession() {
        book.follow("fleet-1", "a", 0, SessionReconstructor.Progress.NONE);
        List<SessionSummary> closed = new ArrayList<>();
        for (int second = 0; second <= 10; second++) {
            // reading 6 carries a clock a day ahead; every reading arrives on time, one a second
            int dated = second == 6 ? second + 86_400 : second;
            closed.addAll(book.onReading(reading("a", second + 1, dated, second < 10 ? 30 : 0), 0, second, T0.plusSeconds(second)));
        }

        assertThat(closed).singleElement().satisfies(session -> {
            assertThat(session.endedBy()).isEqualTo(SessionSummary.EndReason.RETURNED_UPRIGHT);
            assertThat(session.start()).isEqualTo(T0);
            assertThat(session.end()).isEqualTo(T0.plusSeconds(10));
            assertThat(session.slices()).hasSize(1);
        });
    }

    @Test
    void nothingOfATableArrivingForTheTimeoutClosesItsSessionEvenWithinOneBatch() {
        book.follow("fleet-1", "a", 0, SessionReconstructor.Progress.NONE);
        book.onReading(reading("a", 1, 0, 30), 0, 1, T0);
        book.onReading(reading("a", 2, 1, 30), 0, 2, T0.plusSeconds(1));

        // the next reading of the same session arrives 99 s later: the live stream had closed the session by then
        List<SessionSummary> closed = book.onReading(reading("a", 3, 100, 30), 0, 3, T0.plusSeconds(100));

        assertThat(closed).singleElement().satisfies(session -> {
            assertThat(session.endedBy()).isEqualTo(SessionSummary.EndReason.IDLE_TIMEOUT);
            assertThat(session.end()).isEqualTo(T0.plusSeconds(1));
        });
        assertThat(book.openSessions()).isEqualTo(1);
        assertThat(book.committable()).containsEntry(0, 3L);
    }

    @ParameterizedTest(name = "dated {0}, arrived 2026-11-25T10:00:00Z: counted {1}")
    @CsvSource({
            "2026-11-25T09:59:59Z, true",      // a second of network delay
            "2026-11-24T10:00:00Z, true",      // a day behind: buffered on the table, or its clock slow
            "2026-11-26T10:00:00Z, true",      // a day ahead, at the limit
            "2026-11-26T10:00:01Z, false",
            "0001-01-01T00:00:00Z, false",     // a clock never set
            "9999-12-31T23:59:59Z, false"})
    void aReadingDatedFurtherThanTheAllowedSkewFromItsRecordIsNotCounted(Instant dated, boolean counted) {
        TelemetryReading reading = new TelemetryReading("fleet-1", "a", 1, dated, "s-a", 30, 0, true);

        assertThat(book.trusts(reading, T0)).isEqualTo(counted);
    }

    @Test
    void releasedPartitionsAreForgottenAndNoLongerHoldCommits() {
        book.follow("fleet-1", "a", 3, SessionReconstructor.Progress.NONE);
        book.onReading(reading("a", 1, 0, 30), 3, 7, T0.plusSeconds(0));

        book.release(List.of(3));

        assertThat(book.knows("fleet-1", "a")).isFalse();
        assertThat(book.committable()).isEmpty();
        assertThat(book.openSessions()).isZero();
    }

    /**
     * A table at one reading a second is offline from its 100th second to its 200th. On its return it sends the 100
     * readings it buffered, two a second, among its live ones: they arrive up to 100 s late and out of order.
     */
    static List<SessionSummary> offlineFor100sMidSession(SessionBook book, int lastSecond) {
        book.follow("fleet-1", "a", 0, SessionReconstructor.Progress.NONE);
        record Arriving(TelemetryReading reading, double second) {
        }
        List<Arriving> arriving = new ArrayList<>();
        for (int second = 0; second <= lastSecond; second++) {
            TelemetryReading reading = reading("a", second + 1, second, second == 0 || second == lastSecond ? 0 : 30);
            boolean buffered = second >= 100 && second < 200;
            arriving.add(new Arriving(reading, buffered ? 200 + (second - 100) / 2.0 + 0.25 : second));
        }
        arriving.sort(java.util.Comparator.comparingDouble(Arriving::second));
        List<SessionSummary> closed = new ArrayList<>();
        int offset = 0;
        int checkedUpTo = 0;
        for (Arriving next : arriving) {
            for (; checkedUpTo < next.second(); checkedUpTo += 5) {   // the intake looks for idle sessions all the while
                closed.addAll(book.closeIdle(T0.plusSeconds(checkedUpTo), Map.of(0, OptionalLong.of(0))));
            }
            Instant arrived = T0.plusMillis((long) (next.second() * 1000));
            closed.addAll(book.onReading(next.reading(), 0, offset++, arrived));
        }
        return closed;
    }

    /** Ending long after the table's return, or while what it buffered is still arriving (second 230). */
    @ParameterizedTest(name = "upright at second {0}")
    @CsvSource({"300", "230"})
    void aSessionWhoseReadingsArriveScrambledOver100SecondsStaysWhole(int lastSecond) {
        SessionBook waitingForBufferedReadings = new SessionBook(Duration.ofSeconds(30), Duration.ofMinutes(2), 120, Duration.ofDays(1));

        List<SessionSummary> closed = offlineFor100sMidSession(waitingForBufferedReadings, lastSecond);

        assertThat(closed).singleElement().satisfies(session -> {
            assertThat(session.endedBy()).isEqualTo(SessionSummary.EndReason.RETURNED_UPRIGHT);
            assertThat(session.readings()).isEqualTo(lastSecond);            // seconds 1 to the last but one at 30 degrees, then upright
            assertThat(session.duration()).isEqualTo(Duration.ofSeconds(lastSecond - 1));
            assertThat(session.invertedSeconds()).isEqualTo(lastSecond - 1.0);
        });
        assertThat(waitingForBufferedReadings.takeLate()).isZero();
        assertThat(waitingForBufferedReadings.committable()).containsEntry(0, lastSecond + 1L);
    }

    @Test
    void withoutTheAllowedDisorderTheSameSessionIsSplitInTwoByTheSilence() {
        List<SessionSummary> closed = offlineFor100sMidSession(book, 300);

        assertThat(closed).extracting(SessionSummary::endedBy)
                .containsExactly(SessionSummary.EndReason.IDLE_TIMEOUT, SessionSummary.EndReason.RETURNED_UPRIGHT);
    }

    @Test
    void theCommitWaitsForReadingsHeldToBePutInOrder() {
        book.follow("fleet-1", "a", 0, SessionReconstructor.Progress.NONE);
        book.onReading(reading("a", 1, 0, 0), 0, 10, T0);
        book.onReading(reading("a", 3, 2, 30), 0, 11, T0.plusSeconds(2));     // seq 2 is missing: 3 waits

        assertThat(book.committable()).containsEntry(0, 11L);

        book.onReading(reading("a", 2, 1, 30), 0, 12, T0.plusSeconds(3));

        assertThat(book.committable()).as("3 was read before 2, and is in the open session").containsEntry(0, 11L);

        book.onReading(reading("a", 4, 3, 0), 0, 13, T0.plusSeconds(3));

        assertThat(book.committable()).containsEntry(0, 14L);
    }
}
