package io.tiltfleet.streamtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class PartitionClockTest {

    private static final Instant WALL = Instant.parse("2026-12-02T10:00:00Z");
    private final PartitionClock clock = new PartitionClock();

    @Test
    void whileBehindTimeIsTheNewestRecordReadNotTheWallClock() {
        clock.read(3, WALL.minusSeconds(600));
        clock.read(3, WALL.minusSeconds(900));
        clock.looked(WALL, Map.of(3, OptionalLong.of(12_000)));

        assertThat(clock.caughtUp(3)).isFalse();
        assertThat(clock.now(3, WALL)).contains(WALL.minusSeconds(600));
    }

    @Test
    void aSmallPollFromABacklogIsStillBehind() {
        // the bug of judging by poll size: one record came, yet 4,000 wait behind it
        clock.read(0, WALL.minusSeconds(300));
        clock.looked(WALL, Map.of(0, OptionalLong.of(4_000)));

        assertThat(clock.now(0, WALL)).contains(WALL.minusSeconds(300));
    }

    @Test
    void emptyPollsJustAfterAnAssignmentDoNotMeanCaughtUp() {
        // the bug of reading an unknown lag as none: before the first fetch polls come back empty
        clock.read(5, WALL.minusSeconds(60));
        clock.looked(WALL.minusSeconds(1), Map.of(5, OptionalLong.of(0)));
        clock.forget(List.of(5));

        clock.looked(WALL, Map.of(5, OptionalLong.empty()));

        assertThat(clock.caughtUp(5)).isFalse();
        assertThat(clock.now(5, WALL)).isEmpty();
    }

    @Test
    void onceCaughtUpTimeIsTheLastLookNeverLaterThanTheWallClock() {
        clock.read(1, WALL.minusSeconds(3_600));
        clock.looked(WALL.minusSeconds(2), Map.of(1, OptionalLong.of(0)));

        assertThat(clock.now(1, WALL)).contains(WALL.minusSeconds(2));
        assertThat(clock.now(1, WALL.minusSeconds(5))).contains(WALL.minusSeconds(5));
    }

    @Test
    void anUnknownLagAfterCatchingUpCountsAsABacklogAgain() {
        // the bug of keeping "caught up" while the lag is unknown: the partition's backlog grew unseen, its tables looked silent
        clock.read(2, WALL.minusSeconds(10));
        clock.looked(WALL.minusSeconds(5), Map.of(2, OptionalLong.of(0)));
        clock.looked(WALL.minusSeconds(4), Map.of(2, OptionalLong.empty()));

        assertThat(clock.caughtUp(2)).isFalse();
        assertThat(clock.now(2, WALL)).contains(WALL.minusSeconds(10));
    }

    @Test
    void aPartitionTheConsumerDidNotReportOnKeepsWhatWasKnown() {
        clock.looked(WALL.minusSeconds(5), Map.of(3, OptionalLong.of(0)));
        clock.looked(WALL, Map.of(4, OptionalLong.of(9)));

        assertThat(clock.now(3, WALL)).contains(WALL);
    }

    @Test
    void partitionsAreJudgedEachOnItsOwn() {
        clock.read(0, WALL.minusSeconds(100));
        clock.read(1, WALL.minusSeconds(200));
        clock.looked(WALL, Map.of(0, OptionalLong.of(0), 1, OptionalLong.of(7)));

        assertThat(clock.now(0, WALL)).contains(WALL);
        assertThat(clock.now(1, WALL)).contains(WALL.minusSeconds(200));
        assertThat(clock.now(9, WALL)).isEmpty();
    }
}
