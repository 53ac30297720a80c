package io.tiltfleet.analytics.sessions;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.mapping.Document;

/** A closed session as stored, with its derived figures written out for queries and exports. */
@Document(SessionDocument.COLLECTION)
public record SessionDocument(@Id String id, String fleetId, String tableId, String sessionId, Instant start, Instant end,
                              double durationS, double invertedS, double maxAngleDeg, double meanAngleDeg,
                              Map<AngleBand, Double> secondsPerBand, int steepExcursions, int readings,
                              SessionSummary.EndReason endedBy, List<HourSlice> hours) {

    public static final String COLLECTION = "sessions";

    public static SessionDocument of(SessionSummary session) {
        return new SessionDocument(session.id(), session.fleetId(), session.tableId(), session.sessionId(), session.start(),
                session.end(), session.duration().toMillis() / 1000.0, session.invertedSeconds(), session.maxAngleDeg(),
                session.meanAngleDeg(), session.secondsPerBand(), session.steepExcursions(), session.readings(),
                session.endedBy(), session.hours());
    }
}
