package io.tiltfleet.analytics.intake;

import io.tiltfleet.analytics.sessions.SessionReconstructor;
import java.time.Instant;
import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.mapping.Document;

/** How far a table's stored sessions reach, so that a replay of its readings does not count them again. */
@Document("table_progress")
record ProgressDocument(@Id String id, String lastSessionId, long lastSeq, Instant lastEnd) {

    static ProgressDocument of(String tableKey, SessionReconstructor.Progress progress) {
        return new ProgressDocument(tableKey, progress.lastSessionId(), progress.lastSeq(), progress.lastEnd());
    }

    SessionReconstructor.Progress progress() {
        return new SessionReconstructor.Progress(lastSessionId, lastSeq, lastEnd);
    }
}
