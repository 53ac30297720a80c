package io.tiltfleet.analytics.sessions;

import io.tiltfleet.contract.TableRef;
import io.tiltfleet.contract.TelemetryReading;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * The session reconstruction as it was before sessions were added up reading by reading (main at 1caf6b9): it keeps
 * every reading of an open session and computes the figures when the session closes. The oracle of
 * {@link IncrementalSessionsProperties}: fed the same readings in {@code seq} order, the incremental reconstruction
 * must give the same sessions.
 */
final class WholeSessionReconstruction {

    /**
     * How far a table's closed sessions reach: what a restarted reconstructor must not count again.
     *
     * @param lastSessionId the device session id of the last closed session, null before the first
     * @param lastSeq       the sequence number of its last reading
     * @param lastEnd       the time of its last reading
     */
    record Progress(String lastSessionId, long lastSeq, Instant lastEnd) {
        static final Progress NONE = new Progress(null, -1, Instant.MIN);
    }

    /** What is kept of a reading while its session is open. */
    private record Sample(long seq, Instant ts, double angleDeg, boolean locked) {
    }

    private final String fleetId;
    private final String tableId;
    private final Duration idleTimeout;
    private final TreeMap<Long, Sample> open = new TreeMap<>();
    private String openSessionId;
    private Progress progress;

    WholeSessionReconstruction(String fleetId, String tableId, Duration idleTimeout, Progress resumeFrom) {
        this.fleetId = fleetId;
        this.tableId = tableId;
        this.idleTimeout = idleTimeout;
        this.progress = resumeFrom;
        this.openSessionId = resumeFrom.lastSessionId();
    }

    WholeSessionReconstruction(String fleetId, String tableId, Duration idleTimeout) {
        this(fleetId, tableId, idleTimeout, Progress.NONE);
    }

    /** The sessions this reading closes: none, or the one that was open. */
    public List<SessionSummary> onReading(TelemetryReading reading) {
        if (belongsToClosedPast(reading)) {
            return List.of();
        }
        if (!open.isEmpty() && reading.angleDeg() <= 0 && reading.seq() < open.firstKey()) {
            return List.of(); // a late reading from before the session began
        }
        Sample sample = new Sample(reading.seq(), reading.ts(), reading.angleDeg(), reading.locked());
        List<SessionSummary> closed = new ArrayList<>();
        if (!open.isEmpty()) {
            if (reading.sessionId() != null && !reading.sessionId().equals(openSessionId)) {
                closed.add(close(SessionSummary.EndReason.NEW_SESSION));
            } else if (reading.angleDeg() <= 0 && reading.seq() > open.lastKey()) {
                open.put(sample.seq(), sample);
                closed.add(close(SessionSummary.EndReason.RETURNED_UPRIGHT));
                return closed;
            }
        }
        if (open.isEmpty() && (reading.sessionId() == null || reading.angleDeg() <= 0)) {
            return closed;
        }
        if (open.isEmpty()) {
            openSessionId = reading.sessionId();
        }
        open.put(sample.seq(), sample);
        return closed;
    }

    /** Closes the open session: nothing of its table has come for the idle timeout (the caller's clock says so). */
    public List<SessionSummary> onSilence() {
        return open.isEmpty() ? List.of() : List.of(close(SessionSummary.EndReason.IDLE_TIMEOUT));
    }

    public boolean inSession() {
        return !open.isEmpty();
    }

    public Progress progress() {
        return progress;
    }

    private boolean belongsToClosedPast(TelemetryReading reading) {
        boolean laterSession = !Objects.equals(reading.sessionId(), openSessionId) && reading.ts().isAfter(progress.lastEnd());
        return reading.seq() <= progress.lastSeq() && !laterSession;
    }

    private SessionSummary close(SessionSummary.EndReason reason) {
        List<Sample> samples = new ArrayList<>(open.values());
        List<Instant> times = timeline(samples, idleTimeout);
        QuarterSlicer quarters = new QuarterSlicer(times.get(0));
        double maxAngle = samples.get(0).angleDeg();
        int excursions = 0;
        for (int i = 0; i < samples.size(); i++) {
            Sample sample = samples.get(i);
            maxAngle = Math.max(maxAngle, sample.angleDeg());
            boolean wasSteep = i > 0 && samples.get(i - 1).angleDeg() > 60;
            excursions += sample.angleDeg() > 60 && !wasSteep ? 1 : 0;
            Instant until = i + 1 < samples.size() ? times.get(i + 1) : times.get(i);
            if (sample.angleDeg() > 0) {
                quarters.hold(sample.angleDeg(), times.get(i), until);
            }
        }
        Instant start = times.get(0);
        Instant end = times.get(times.size() - 1);
        String id = new TableRef(fleetId, tableId).key() + "/" + openSessionId + "/" + start.toEpochMilli();
        List<QuarterSlice> slices = quarters.slices();
        List<TracePoint> trace = SessionTrace.thin(IntStream.range(0, samples.size())
                .mapToObj(i -> new TracePoint(times.get(i), samples.get(i).angleDeg(), samples.get(i).locked())).toList());
        SessionSummary summary = new SessionSummary(id, fleetId, tableId, openSessionId, start, end, maxAngle,
                QuarterSlicer.sum(slices), slices.stream().mapToDouble(QuarterSlice::angleSeconds).sum(), excursions,
                samples.size(), reason, slices, trace);
        progress = new Progress(openSessionId, samples.get(samples.size() - 1).seq(), end);
        open.clear();
        return summary;
    }

    /**
     * The times of a session's readings ({@code seq} order) as its figures count them. The session is
     * anchored at its median time, which a minority of wrong clocks cannot move; from there outwards each
     * reading keeps its own time where it lies between its neighbours and within the idle timeout of the
     * one towards the anchor, and else takes the nearest time that does. A reading dated 0001-01-01 or a
     * day ahead among readings a second apart thus counts as held next to them, and a session spans at
     * most its readings times the idle timeout, cut into as few hours. Readings in order with gaps within
     * the timeout keep their own times.
     */
    private static List<Instant> timeline(List<Sample> samples, Duration idleTimeout) {
        int last = samples.size() - 1;
        int anchor = IntStream.rangeClosed(0, last).boxed().sorted(Comparator.comparing(i -> samples.get(i).ts())).toList().get(last / 2);
        Instant[] times = new Instant[samples.size()];
        times[anchor] = samples.get(anchor).ts();
        for (int i = anchor + 1; i <= last; i++) {
            Instant earliest = times[i - 1];
            Instant latest = earliest.plus(idleTimeout);
            if (i < last && within(samples.get(i + 1).ts(), earliest, latest)) {
                latest = samples.get(i + 1).ts();
            }
            times[i] = clamp(samples.get(i).ts(), earliest, latest);
        }
        for (int i = anchor - 1; i >= 0; i--) {
            Instant latest = times[i + 1];
            Instant earliest = latest.minus(idleTimeout);
            if (i > 0 && within(samples.get(i - 1).ts(), earliest, latest)) {
                earliest = samples.get(i - 1).ts();
            }
            times[i] = clamp(samples.get(i).ts(), earliest, latest);
        }
        return List.of(times);
    }

    private static boolean within(Instant time, Instant earliest, Instant latest) {
        return !time.isBefore(earliest) && !time.isAfter(latest);
    }

    private static Instant clamp(Instant time, Instant earliest, Instant latest) {
        return time.isBefore(earliest) ? earliest : time.isAfter(latest) ? latest : time;
    }
}
