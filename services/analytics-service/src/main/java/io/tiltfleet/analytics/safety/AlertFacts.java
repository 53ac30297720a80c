package io.tiltfleet.analytics.safety;

import static org.springframework.data.mongodb.core.query.Criteria.where;
import static org.springframework.data.mongodb.core.query.Query.query;

import io.tiltfleet.contract.AlertChange;
import io.tiltfleet.contract.SafetyAlertEvent;
import java.time.Instant;
import java.util.Collection;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.BulkOperations;
import org.springframework.data.mongodb.core.ReactiveBulkOperations;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.index.Index;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The alerts' facts, each kept by its id and changed only towards what its events say: the first acknowledgement and
 * clearing count, and a raise escalated to critical stays critical, so that events read twice or out of order give the
 * same document.
 */
@Component
public class AlertFacts {

    private final ReactiveMongoTemplate mongo;

    AlertFacts(ReactiveMongoTemplate mongo) {
        this.mongo = mongo;
    }

    public Mono<Void> createIndexes() {
        return mongo.indexOps(AlertFact.class).createIndex(new Index().on("fleetId", Sort.Direction.ASC).on("raisedAt", Sort.Direction.ASC)).then();
    }

    Mono<Void> record(Collection<SafetyAlertEvent> events) {
        if (events.isEmpty()) {
            return Mono.empty();
        }
        ReactiveBulkOperations bulk = mongo.bulkOps(BulkOperations.BulkMode.ORDERED, AlertFact.class);
        events.forEach(event -> bulk.upsert(query(where("_id").is(event.alertId())), changeOf(event)));
        return bulk.execute().then();
    }

    private static Update changeOf(SafetyAlertEvent event) {
        Update update = new Update().setOnInsert("fleetId", event.fleetId()).setOnInsert("tableId", event.tableId())
                .setOnInsert("type", event.type()).min("raisedAt", event.raisedAt());
        if (SafetyFigures.CRITICAL.equals(event.severity())) {
            update.set("severity", event.severity());
        } else {
            update.setOnInsert("severity", event.severity());
        }
        // only the acknowledgement's own event has its time: a later event's state says it happened, not when
        if (event.change() == AlertChange.ACKNOWLEDGED) {
            update.min("acknowledgedAt", event.updatedAt());
            if (SafetyFigures.CRITICAL.equals(event.severity())) {
                update.min("criticalAcknowledgedAt", event.updatedAt());
            }
        }
        if (SafetyFigures.CRITICAL.equals(event.severity()) && event.state() != null && event.state().endsWith("_ACKNOWLEDGED")) {
            update.set("criticalAcknowledged", true);
        }
        if (event.change() == AlertChange.CLEARED || event.state() != null && event.state().startsWith("CLEARED_")) {
            update.min("clearedAt", event.updatedAt());
        }
        return update;
    }

    Flux<AlertFact> raisedBetween(String fleetId, Instant from, Instant to) {
        return mongo.find(query(where("fleetId").is(fleetId).and("raisedAt").gte(from).lt(to)), AlertFact.class);
    }
}
