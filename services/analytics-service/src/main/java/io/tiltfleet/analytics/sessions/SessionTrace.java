package io.tiltfleet.analytics.sessions;

import java.util.ArrayList;
import java.util.List;

/**
 * A session's angle and lock over time, thinned to the points where something changed: a chart of a session of hours
 * needs a few hundred points, not its thousands of readings.
 */
public final class SessionTrace {

    /** At most this many points per session. */
    public static final int MOST_POINTS = 300;
    /** An angle that moved less than this from the last point kept is not a change. */
    static final double FIRST_TOLERANCE_DEG = 1.0;

    private SessionTrace() {
    }

    /**
     * Keeps the first and last points, the steepest, every change of the lock, and every point whose angle is at least the tolerance
     * from the last one kept; the tolerance starts at 1 degree and doubles until at most {@link #MOST_POINTS} are left.
     * A session that still has too many (its lock changing hundreds of times) keeps every n-th of them and the last.
     */
    public static List<TracePoint> thin(List<TracePoint> points) {
        double tolerance = FIRST_TOLERANCE_DEG;
        List<TracePoint> kept = changePoints(points, tolerance);
        while (kept.size() > MOST_POINTS && tolerance < 180) {
            tolerance *= 2;
            kept = changePoints(points, tolerance);
        }
        return kept.size() <= MOST_POINTS ? kept : everyNth(kept);
    }

    private static List<TracePoint> changePoints(List<TracePoint> points, double toleranceDeg) {
        int steepest = 0;
        for (int i = 1; i < points.size(); i++) {
            steepest = points.get(i).angleDeg() > points.get(steepest).angleDeg() ? i : steepest;
        }
        List<TracePoint> kept = new ArrayList<>();
        for (int i = 0; i < points.size(); i++) {
            TracePoint point = points.get(i);
            TracePoint last = kept.isEmpty() ? null : kept.get(kept.size() - 1);
            if (last == null || i == points.size() - 1 || i == steepest || point.locked() != last.locked()
                    || Math.abs(point.angleDeg() - last.angleDeg()) >= toleranceDeg) {
                kept.add(point);
            }
        }
        return kept;
    }

    private static List<TracePoint> everyNth(List<TracePoint> points) {
        int step = (points.size() + MOST_POINTS - 2) / (MOST_POINTS - 1);
        List<TracePoint> kept = new ArrayList<>();
        for (int i = 0; i < points.size() - 1; i += step) {
            kept.add(points.get(i));
        }
        kept.add(points.get(points.size() - 1));
        return kept;
    }
}
