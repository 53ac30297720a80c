package io.tiltfleet.notification.delivery;

import io.tiltfleet.notification.escalation.PlannedNotification;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.FindAndModifyOptions;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.index.Index;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The planned notifications in MongoDB. Inserting one whose key is stored already changes nothing, so a
 * redelivered alert event or a second instance never doubles one; claims are leases, so one that an instance
 * claimed and never finished (it was killed) is claimed again once the lease has run out.
 */
@Component
class ScheduleStore {

    private final ReactiveMongoTemplate mongo;

    ScheduleStore(ReactiveMongoTemplate mongo) {
        this.mongo = mongo;
    }

    Mono<Void> createIndexes() {
        return mongo.indexOps(ScheduledNotification.class)
                .createIndex(new Index().on("status", Sort.Direction.ASC).on("nextAttemptAt", Sort.Direction.ASC))
                .then(mongo.indexOps(ScheduledNotification.class).createIndex(new Index().on("alertId", Sort.Direction.ASC)))
                // a fleet's data, exported
                .then(mongo.indexOps(ScheduledNotification.class).createIndex(new Index().on("fleetId", Sort.Direction.ASC)))
                .then();
    }

    Mono<Void> plan(List<PlannedNotification> planned) {
        return Flux.fromIterable(planned).concatMap(p -> mongo.insert(ScheduledNotification.of(p))
                .onErrorResume(DuplicateKeyException.class, already -> Mono.empty())).then();
    }

    Mono<Void> cancel(String alertId) {
        return mongo.updateMulti(Query.query(Criteria.where("alertId").is(alertId).and("status").is(ScheduledNotification.PENDING)),
                Update.update("status", ScheduledNotification.CANCELLED), ScheduledNotification.class).then();
    }

    /** The next due notification nobody holds, now held by {@code owner} for {@code lease}; empty when none is due. */
    Mono<ScheduledNotification> claim(String owner, Instant now, Duration lease) {
        Query due = Query.query(Criteria.where("status").is(ScheduledNotification.PENDING).and("nextAttemptAt").lte(now)
                .and("claimedUntil").lt(now)).with(Sort.by("nextAttemptAt"));
        return mongo.findAndModify(due, new Update().set("claimedBy", owner).set("claimedUntil", now.plus(lease)),
                FindAndModifyOptions.options().returnNew(true), ScheduledNotification.class);
    }

    /**
     * A final outcome (DELIVERED, FAILED_FOR_GOOD, REFUSED, CANCELLED), only while {@code owner} still holds the
     * claim: an instance whose lease ran out must not overwrite what the one that claimed it again wrote.
     */
    Mono<Void> finish(String id, String owner, String status, int attempts) {
        return mongo.updateFirst(held(id, owner), new Update().set("status", status).set("attempts", attempts)
                .set("claimedBy", null).set("claimedUntil", Instant.EPOCH), ScheduledNotification.class).then();
    }

    /** Tried again at {@code next}, by whichever instance claims it then; only while {@code owner} holds the claim. */
    Mono<Void> retry(String id, String owner, int attempts, Instant next) {
        return mongo.updateFirst(held(id, owner), new Update().set("attempts", attempts).set("nextAttemptAt", next)
                .set("claimedBy", null).set("claimedUntil", Instant.EPOCH), ScheduledNotification.class).then();
    }

    private static Query held(String id, String owner) {
        return Query.query(Criteria.where("_id").is(id).and("claimedBy").is(owner));
    }

    Mono<Long> pending() {
        return mongo.count(Query.query(Criteria.where("status").is(ScheduledNotification.PENDING)), ScheduledNotification.class);
    }
}
