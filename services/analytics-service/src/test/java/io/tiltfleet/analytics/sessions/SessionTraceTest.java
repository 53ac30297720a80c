package io.tiltfleet.analytics.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SessionTraceTest {

    static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

    static List<TracePoint> everySecond(double[] angles, boolean[] locked) {
        List<TracePoint> points = new ArrayList<>();
        for (int i = 0; i < angles.length; i++) {
            points.add(new TracePoint(T0.plusSeconds(i), angles[i], locked[i]));
        }
        return points;
    }

    /** Each point left out is within the tolerance of the last point kept before it, and has its lock state. */
    static void assertEveryPointLeftOutIsNearTheLastKept(List<TracePoint> all, List<TracePoint> kept, double toleranceDeg) {
        int k = 0;
        for (TracePoint point : all) {
            while (k + 1 < kept.size() && !kept.get(k + 1).at().isAfter(point.at())) {
                k++;
            }
            assertThat(Math.abs(point.angleDeg() - kept.get(k).angleDeg())).as(point.toString()).isLessThan(toleranceDeg);
            assertThat(point.locked()).as(point.toString()).isEqualTo(kept.get(k).locked());
        }
    }

    @Test
    void aShortSessionKeepsEveryChangeOfADegreeOrMoreAndEveryChangeOfTheLock() {
        double[] angles = {0, 10, 10.4, 10.8, 11.2, 30, 30, 30.5, 29.6, 45, 45, 0};
        boolean[] locked = {true, true, true, true, true, true, false, false, true, true, true, true};
        List<TracePoint> all = everySecond(angles, locked);

        List<TracePoint> kept = SessionTrace.thin(all);

        assertThat(kept).extracting(TracePoint::angleDeg).containsExactly(0.0, 10.0, 11.2, 30.0, 30.0, 29.6, 45.0, 0.0);
        assertEveryPointLeftOutIsNearTheLastKept(all, kept, 1.0);
    }

    @Test
    void aTwoHourSessionOfNoisyReadingsIsThinnedToAFewHundredPointsWithItsPeakAndEnds() {
        Random random = new Random(7);
        int seconds = 7200;
        double[] angles = new double[seconds];
        boolean[] locked = new boolean[seconds];
        double angle = 20;
        for (int i = 0; i < seconds; i++) {
            angle = Math.max(1, Math.min(89, angle + random.nextGaussian() * 0.8));
            angles[i] = i == 4000 ? 89.5 : angle;
            locked[i] = i < 6000;
        }
        List<TracePoint> all = everySecond(angles, locked);

        List<TracePoint> kept = SessionTrace.thin(all);

        assertThat(kept).hasSizeBetween(20, SessionTrace.MOST_POINTS);
        assertThat(kept.get(0)).isEqualTo(all.get(0));
        assertThat(kept.get(kept.size() - 1)).isEqualTo(all.get(seconds - 1));
        assertThat(kept).extracting(TracePoint::angleDeg).contains(89.5);
        assertThat(kept).filteredOn(point -> point.at().equals(T0.plusSeconds(6000))).singleElement()
                .satisfies(point -> assertThat(point.locked()).isFalse());
        double tolerance = 1.0;
        while (true) {
            try {
                assertEveryPointLeftOutIsNearTheLastKept(all, kept, tolerance);
                break;
            } catch (AssertionError wider) {
                tolerance *= 2;
                assertThat(tolerance).isLessThanOrEqualTo(32);
            }
        }
    }

    @Test
    void aLockFlappingThousandsOfTimesStillGivesAtMostTheLimit() {
        int seconds = 5000;
        double[] angles = new double[seconds];
        boolean[] locked = new boolean[seconds];
        for (int i = 0; i < seconds; i++) {
            angles[i] = 30;
            locked[i] = i % 2 == 0;
        }

        List<TracePoint> kept = SessionTrace.thin(everySecond(angles, locked));

        assertThat(kept).hasSizeLessThanOrEqualTo(SessionTrace.MOST_POINTS);
        assertThat(kept.get(kept.size() - 1).at()).isEqualTo(T0.plusSeconds(seconds - 1));
    }
}
