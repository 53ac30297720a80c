package io.tiltfleet.analytics.sessions;

import java.time.Instant;
import java.util.List;
import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.mapping.Document;

/** A closed session's thinned trace, under the session's id, apart from the session so that lists and exports do not carry it. */
@Document(TraceDocument.COLLECTION)
public record TraceDocument(@Id String sessionId, String fleetId, String tableId, Instant start, Instant end, List<TracePoint> points) {

    public static final String COLLECTION = "session_traces";

    public static TraceDocument of(SessionSummary session) {
        return new TraceDocument(session.id(), session.fleetId(), session.tableId(), session.start(), session.end(), session.trace());
    }
}
