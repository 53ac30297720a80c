package io.tiltfleet.analytics.sessions;

import java.util.ArrayList;
import java.util.List;

/**
 * A session's angle and lock over time, thinned to the points where something changed: a chart of a session of hours
 * needs a few hundred points, not its thousands of readings. Built point by point while the session is open, in
 * memory of at most {@link #MOST_POINTS}, however long the session runs.
 */
public final class SessionTrace {

    /** At most this many points per session. */
    public static final int MOST_POINTS = 300;
    /** An angle that moved less than this from the last point kept is not a change. */
    static final double FIRST_TOLERANCE_DEG = 1.0;
    /** Above this, no angle change counts (angles span 180 degrees): only the lock's changes are left. */
    private static final double WIDEST_TOLERANCE_DEG = 180;

    private List<TracePoint> kept = new ArrayList<>();
    private double toleranceDeg = FIRST_TOLERANCE_DEG;
    private TracePoint steepest;
    private TracePoint last;

    /**
     * Keeps the first point, every change of the lock, and every point whose angle is at least the tolerance from the
     * last one kept. The tolerance starts at 1 degree; whenever more points than the limit would be kept, it doubles
     * and the points kept so far are thinned again with it, so that a point left out is within twice the final
     * tolerance of the last point kept before it. A lock changing hundreds of times leaves every other point then.
     */
    public static List<TracePoint> thin(List<TracePoint> points) {
        SessionTrace trace = new SessionTrace();
        points.forEach(trace::add);
        return trace.points();
    }

    /** The next point of the session, in time order. */
    public void add(TracePoint point) {
        steepest = steepest == null || point.angleDeg() > steepest.angleDeg() ? point : steepest;
        last = point;
        if (kept.isEmpty() || changed(kept.get(kept.size() - 1), point, toleranceDeg)) {
            kept.add(point);
        }
        // room is left for the steepest point and the last one, added at the end
        while (kept.size() > MOST_POINTS - 2) {
            coarsen();
        }
    }

    /** The points kept, with the steepest one and the last one of the session. */
    public List<TracePoint> points() {
        List<TracePoint> points = new ArrayList<>(kept);
        if (steepest != null && !points.contains(steepest)) {
            int after = 0;
            while (after < points.size() && !points.get(after).at().isAfter(steepest.at())) {
                after++;
            }
            points.add(after, steepest);
        }
        if (last != null && !points.get(points.size() - 1).equals(last)) {
            points.add(last);
        }
        return points;
    }

    private void coarsen() {
        if (toleranceDeg < WIDEST_TOLERANCE_DEG) {
            toleranceDeg *= 2;
            List<TracePoint> coarser = new ArrayList<>();
            for (TracePoint point : kept) {
                if (coarser.isEmpty() || changed(coarser.get(coarser.size() - 1), point, toleranceDeg)) {
                    coarser.add(point);
                }
            }
            kept = coarser;
        } else {
            List<TracePoint> everyOther = new ArrayList<>();
            for (int i = 0; i < kept.size(); i += 2) {
                everyOther.add(kept.get(i));
            }
            kept = everyOther;
        }
    }

    private static boolean changed(TracePoint lastKept, TracePoint point, double toleranceDeg) {
        return point.locked() != lastKept.locked() || Math.abs(point.angleDeg() - lastKept.angleDeg()) >= toleranceDeg;
    }
}
