package io.tiltfleet.analytics.intake;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiltfleet.analytics.sessions.SessionReconstructor;
import io.tiltfleet.analytics.sessions.SessionSummary;
import io.tiltfleet.contract.TelemetryReading;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class SessionBookTest {

    static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

    final SessionBook book = new SessionBook(Duration.ofSeconds(30));

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
    void aLaggingPartitionJudgesIdlenessByItsReadingsNotByTheWallClock() {
        book.follow("fleet-1", "a", 0, SessionReconstructor.Progress.NONE);
        book.follow("fleet-1", "b", 0, SessionReconstructor.Progress.NONE);
        book.onReading(reading("a", 1, 0, 30), 0, 1, T0.plusSeconds(0));
        book.onReading(reading("b", 1, 10, 30), 0, 2, T0.plusSeconds(10));
        Instant muchLater = T0.plusSeconds(3600);

        // Behind on the partition: its time is 10 s, nobody idle yet, whatever the wall clock says
        assertThat(book.closeIdle(muchLater, Map.of(0, OptionalLong.of(500)))).isEmpty();

        // Further readings of b move the partition's time past a's timeout
        book.onReading(reading("b", 2, 40, 30), 0, 3, T0.plusSeconds(40));
        assertThat(book.closeIdle(muchLater, Map.of(0, OptionalLong.of(499)))).extracting(SessionSummary::tableId).containsExactly("a");

        // Caught up: the wall clock closes b too
        assertThat(book.closeIdle(muchLater, Map.of(0, OptionalLong.of(0)))).extracting(SessionSummary::tableId).containsExactly("b");
        assertThat(book.committable()).containsEntry(0, 4L);
    }

    @Test
    void caughtUpOldReadingsAreIdleOnlyOnceNothingOfTheirTableHasArrivedForTheTimeout() {
        book.follow("fleet-1", "a", 0, SessionReconstructor.Progress.NONE);
        Instant arrived = T0.plusSeconds(7200); // readings two hours old by their own time, arriving now
        book.onReading(reading("a", 1, 0, 30), 0, 1, arrived);
        book.onReading(reading("a", 2, 1, 30), 0, 2, arrived);
        Map<Integer, OptionalLong> caughtUp = Map.of(0, OptionalLong.of(0));

        // The rest of the session is still on its way: not idle, however old its readings are
        assertThat(book.closeIdle(arrived.plusSeconds(5), caughtUp)).isEmpty();

        // Nothing more of the table for the timeout: idle
        assertThat(book.closeIdle(arrived.plusSeconds(31), caughtUp)).extracting(SessionSummary::tableId).containsExactly("a");
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
}
