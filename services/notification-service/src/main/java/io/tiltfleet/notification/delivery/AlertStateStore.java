package io.tiltfleet.notification.delivery;

import io.tiltfleet.contract.SafetyAlertEvent;
import io.tiltfleet.notification.escalation.EscalationPlanner;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.springframework.data.annotation.Id;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.index.Index;
import org.springframework.data.mongodb.core.mapping.Document;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * The latest state of each alert, as its events said: what a notification reports, and whether a later tier or a
 * reminder is still wanted. It keeps the type and severity from before the latest change too, so that an event
 * delivered again (the service stopped before committing its offset) is planned as it was the first time.
 */
@Component
class AlertStateStore {

    @Document("notification_alert_state")
    record AlertState(@Id String alertId, String fleetId, String tableId, String type, String severity, String state, String reason,
                      Instant raisedAt, Instant updatedAt, String typeBefore, String severityBefore, String location) {

        EscalationPlanner.Before before() {
            return typeBefore == null ? null : new EscalationPlanner.Before(typeBefore, severityBefore);
        }
    }

    /** An alert the safety service has done with: cleared and acknowledged. */
    static final String CLOSED = "CLEARED_ACKNOWLEDGED";

    private final ReactiveMongoTemplate mongo;

    AlertStateStore(ReactiveMongoTemplate mongo) {
        this.mongo = mongo;
    }

    /** For a fleet's data, exported. */
    Mono<Void> createIndexes() {
        return mongo.indexOps(AlertState.class).createIndex(new Index().on("fleetId", Sort.Direction.ASC)).then();
    }

    Mono<AlertState> find(String alertId) {
        return mongo.findById(alertId, AlertState.class);
    }

    /** The state after {@code event}; {@code stored} is the state before it (null for a new alert). */
    static AlertState after(AlertState stored, SafetyAlertEvent event) {
        boolean again = stored != null && stored.updatedAt().equals(asStored(event.updatedAt()));
        String typeBefore = stored == null ? null : again ? stored.typeBefore() : stored.type();
        String severityBefore = stored == null ? null : again ? stored.severityBefore() : stored.severity();
        return new AlertState(event.alertId(), event.fleetId(), event.tableId(), event.type(), event.severity(), event.state(),
                event.reason(), event.raisedAt(), event.updatedAt(), typeBefore, severityBefore, event.location());
    }

    /**
     * A time as it reads back from MongoDB, which keeps dates to the millisecond: the safety service stamps its
     * changes to the microsecond, so an event is compared with what is stored at the precision stored.
     */
    static Instant asStored(Instant time) {
        return time.truncatedTo(ChronoUnit.MILLIS);
    }

    Mono<AlertState> save(AlertState state) {
        return mongo.save(state);
    }
}
