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
        book.onReading(reading("a", 1, 0, 0), 0, 100);      // upright: nothing open
        book.onReading(reading("a", 2, 1, 30), 0, 101);     // a's session opens at offset 101
        book.onReading(reading("b", 1, 1, 40), 0, 102);     // b's at 102
        book.onReading(reading("b", 2, 2, 0), 0, 103);      // b's closes

        // Then only a's open session holds the partition back
        assertThat(book.committable()).containsEntry(0, 101L);

        // When a's session closes too, everything read may be committed
        assertThat(book.onReading(reading("a", 3, 2, 0), 0, 104)).hasSize(1);
        assertThat(book.committable()).containsEntry(0, 105L);
    }

    @Test
    void aLaggingPartitionJudgesIdlenessByItsReadingsNotByTheWallClock() {
        book.follow("fleet-1", "a", 0, SessionReconstructor.Progress.NONE);
        book.follow("fleet-1", "b", 0, SessionReconstructor.Progress.NONE);
        book.onReading(reading("a", 1, 0, 30), 0, 1);
        book.onReading(reading("b", 1, 10, 30), 0, 2);
        Instant muchLater = T0.plusSeconds(3600);

        // Behind on the partition: its time is 10 s, nobody idle yet, whatever the wall clock says
        assertThat(book.closeIdle(muchLater, Map.of(0, OptionalLong.of(500)))).isEmpty();

        // Further readings of b move the partition's time past a's timeout
        book.onReading(reading("b", 2, 40, 30), 0, 3);
        assertThat(book.closeIdle(muchLater, Map.of(0, OptionalLong.of(499)))).extracting(SessionSummary::tableId).containsExactly("a");

        // Caught up: the wall clock closes b too
        assertThat(book.closeIdle(muchLater, Map.of(0, OptionalLong.of(0)))).extracting(SessionSummary::tableId).containsExactly("b");
        assertThat(book.committable()).containsEntry(0, 4L);
    }

    @Test
    void releasedPartitionsAreForgottenAndNoLongerHoldCommits() {
        book.follow("fleet-1", "a", 3, SessionReconstructor.Progress.NONE);
        book.onReading(reading("a", 1, 0, 30), 3, 7);

        book.release(List.of(3));

        assertThat(book.knows("fleet-1", "a")).isFalse();
        assertThat(book.committable()).isEmpty();
        assertThat(book.openSessions()).isZero();
    }
}
