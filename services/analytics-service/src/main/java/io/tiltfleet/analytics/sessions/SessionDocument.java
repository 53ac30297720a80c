package io.tiltfleet.analytics.sessions;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * A closed session as stored, with its derived figures written out for queries and exports.
 *
 * @param hours its quarter-hour slices, under the names they had when sessions were cut at whole UTC hours: a
 *              session stored then is read as one slice per hour, counted whole in the quarter its hour began
 */
@Document(SessionDocument.COLLECTION)
public record SessionDocument(@Id String id, String fleetId, String tableId, String sessionId, Instant start, Instant end,
                              double durationS, double invertedS, double maxAngleDeg, double meanAngleDeg,
                              Map<AngleBand, Double> secondsPerBand, int steepExcursions, int readings,
                              SessionSummary.EndReason endedBy, List<StoredSlice> hours) {

    public static final String COLLECTION = "sessions";

    public static SessionDocument of(SessionSummary session) {
        return new SessionDocument(session.id(), session.fleetId(), session.tableId(), session.sessionId(), session.start(),
                session.end(), session.duration().toMillis() / 1000.0, session.invertedSeconds(), session.maxAngleDeg(),
                session.meanAngleDeg(), session.secondsPerBand(), session.steepExcursions(), session.readings(),
                session.endedBy(), session.slices().stream().map(StoredSlice::of).toList());
    }

    public List<QuarterSlice> slices() {
        return hours == null ? List.of() : hours.stream().map(StoredSlice::slice).toList();
    }

    /** @param hour the start of the slice's quarter hour */
    public record StoredSlice(Instant hour, boolean startsSession, Map<AngleBand, Double> secondsPerBand, double angleSeconds,
                              double maxAngleDeg) {

        static StoredSlice of(QuarterSlice slice) {
            return new StoredSlice(slice.start(), slice.startsSession(), slice.secondsPerBand(), slice.angleSeconds(), slice.maxAngleDeg());
        }

        QuarterSlice slice() {
            return new QuarterSlice(hour, startsSession, secondsPerBand, angleSeconds, maxAngleDeg);
        }
    }
}
