package io.tiltfleet.safety.alerts;

import static org.springframework.data.mongodb.core.query.Criteria.where;
import static org.springframework.data.mongodb.core.query.Query.query;

import com.mongodb.ErrorCategory;
import com.mongodb.bulk.BulkWriteError;
import io.tiltfleet.contract.AlertChange;
import io.tiltfleet.safety.BulkWriteErrors;
import io.tiltfleet.safety.rules.AlertSignal;
import io.tiltfleet.safety.rules.AlertType;
import io.tiltfleet.safety.rules.Severity;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.bson.Document;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.BulkOperations;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.index.Index;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * Alerts in MongoDB. Signals of one table come from the one instance that owns its partition; an
 * acknowledgement can come from anywhere at the same time, so every write checks that the alert is
 * still the version it read ({@code updatedAt}) and reads again when it is not.
 */
@Component
public class AlertStore {

    static final List<AlertState> OPEN = List.of(AlertState.ACTIVE_UNACKNOWLEDGED, AlertState.ACTIVE_ACKNOWLEDGED,
            AlertState.CLEARED_UNACKNOWLEDGED);

    private final ReactiveMongoTemplate mongo;

    AlertStore(ReactiveMongoTemplate mongo) {
        this.mongo = mongo;
    }

    /** The alert as changed by the signal, or empty when the signal concerns an alert already closed. */
    public Mono<Alert> apply(AlertSignal signal) {
        return findOpen(signal)
                .flatMap(open -> replace(open, open.apply(signal)))
                .switchIfEmpty(Mono.defer(() -> signal.change() == AlertChange.RAISED
                        ? mongo.insert(Alert.raise(UUID.randomUUID().toString(), signal))
                        : Mono.empty()))
                .retryWhen(Retry.max(5).filter(failure -> failure instanceof ConcurrentChange || failure instanceof DuplicateKeyException));
    }

    /**
     * New alerts for raises, inserted straight away and all in one bulk insert: one round trip where each
     * raise took two (a look for the open alert, then the insert), and a thousand tables silent together
     * (a site's network gone) one, not a thousand. A raise the open slot refuses goes on as {@link #apply},
     * which reopens the table's alert of that type (cleared but not yet acknowledged), unless the alert
     * holding the slot is its own, inserted by an earlier attempt whose answer was lost. One that fails
     * otherwise fails alone, while the others of the insert stand.
     *
     * @param alertIds per raise, the id of its new alert: the same for every attempt of one raise
     * @return per raise, in their order, the alert as stored
     */
    public List<Mono<Alert>> raiseAll(List<AlertSignal> raises, List<String> alertIds) {
        List<Alert> alerts = new ArrayList<>(raises.size());
        for (int i = 0; i < raises.size(); i++) {
            alerts.add(Alert.raise(alertIds.get(i), raises.get(i)));
        }
        Mono<Map<Integer, RuntimeException>> refused = mongo.bulkOps(BulkOperations.BulkMode.UNORDERED, Alert.class).insert(alerts).execute()
                .map(inserted -> Map.<Integer, RuntimeException>of())
                .onErrorResume(failure -> BulkWriteErrors.of(failure) != null, failure -> Mono.just(refusedByIndex(failure)))
                .cache();
        List<Mono<Alert>> stored = new ArrayList<>(raises.size());
        for (int i = 0; i < raises.size(); i++) {
            Alert alert = alerts.get(i);
            AlertSignal raise = raises.get(i);
            int index = i;
            stored.add(refused.flatMap(errors -> {
                RuntimeException error = errors.get(index);
                if (error == null) {
                    return Mono.just(alert);
                }
                return error instanceof DuplicateKeyException
                        ? mongo.findById(alert.id(), Alert.class).switchIfEmpty(Mono.defer(() -> apply(raise)))
                        : Mono.error(error);
            }));
        }
        return stored;
    }

    /** Per index of the bulk insert, why that document was not inserted: a duplicate key (the open slot) or another write error. */
    private static Map<Integer, RuntimeException> refusedByIndex(Throwable failure) {
        Map<Integer, RuntimeException> refused = new HashMap<>();
        for (BulkWriteError error : BulkWriteErrors.of(failure)) {
            refused.put(error.getIndex(), ErrorCategory.fromErrorCode(error.getCode()) == ErrorCategory.DUPLICATE_KEY
                    ? new DuplicateKeyException(error.getMessage())
                    : new IllegalStateException("alert not stored: " + error.getMessage()));
        }
        return refused;
    }

    /**
     * @return empty when there is no such alert
     * @throws IllegalStateException (in the Mono) when it is already cleared and acknowledged
     */
    public Mono<Alert> acknowledge(String id, String by, Instant at) {
        return mongo.findById(id, Alert.class)
                .flatMap(alert -> replace(alert, alert.acknowledge(by, at)))
                .retryWhen(Retry.max(5).filter(ConcurrentChange.class::isInstance));
    }

    /**
     * The open alert of a table and type is looked up for every signal, and there is at most one
     * ({@link OpenAlertSlot}); lists are by fleet, newest first.
     */
    public Mono<Void> createIndexes() {
        return Flux.concat(
                slotsOfAlertsStoredBeforeTheSlotExisted(),
                mongo.indexOps(Alert.class).createIndex(new Index().on("fleetId", Sort.Direction.ASC).on("tableId", Sort.Direction.ASC)
                        .on("type", Sort.Direction.ASC).on(OpenAlertSlot.FIELD, Sort.Direction.ASC).unique().named("one_open_alert_per_table_and_type")),
                mongo.indexOps(Alert.class).createIndex(new Index().on("fleetId", Sort.Direction.ASC).on("tableId", Sort.Direction.ASC)
                        .on("type", Sort.Direction.ASC).on("state", Sort.Direction.ASC)),
                mongo.indexOps(Alert.class).createIndex(new Index().on("fleetId", Sort.Direction.ASC).on("raisedAt", Sort.Direction.DESC)),
                mongo.indexOps(Alert.class).createIndex(new Index().on("fleetId", Sort.Direction.ASC).on("updatedAt", Sort.Direction.ASC)))
                .then();
    }

    /** Alerts stored by an older version have no slot; unique over missing values, the index could not be built. */
    private Mono<Void> slotsOfAlertsStoredBeforeTheSlotExisted() {
        return mongo.find(query(where(OpenAlertSlot.FIELD).exists(false)), Alert.class)
                .concatMap(alert -> mongo.updateFirst(query(where("_id").is(alert.id())), Update.update(OpenAlertSlot.FIELD,
                        OpenAlertSlot.slotOf(alert)), Alert.class))
                .then();
    }

    /** The fleet's alerts as they are now, of those changed at or after {@code since}, oldest change first. */
    public Flux<Alert> changedSince(String fleetId, Instant since, int limit) {
        return mongo.find(query(where("fleetId").is(fleetId).and("updatedAt").gte(since)).with(Sort.by(Sort.Direction.ASC, "updatedAt"))
                .limit(limit), Alert.class);
    }

    public Mono<Alert> find(String id) {
        return mongo.findById(id, Alert.class);
    }

    public Flux<Alert> search(AlertQuery filter) {
        Query query = query(criteria(filter)).with(Sort.by(Sort.Direction.DESC, "raisedAt"))
                .skip((long) filter.page() * filter.size()).limit(filter.size());
        return mongo.find(query, Alert.class);
    }

    /**
     * For an export: every matching alert (the filter's page ignored), the first raised first, fetched from the cursor as
     * the reader asks for more, and without the readings that raised it (up to {@value Alert#KEPT_READINGS}), which no
     * export column shows; never to be written back. Read as plain documents and mapped here: Spring Data's mapping, field
     * by field, was about a sixth of the working threads' samples in a flight recording of alert exports
     * (tools/bench/results/export-2026-12-04-profile.txt).
     */
    public Flux<Alert> forExport(AlertQuery filter, int fetchSize) {
        Query query = query(criteria(filter)).with(Sort.by(Sort.Direction.ASC, "raisedAt"));
        query.fields().exclude("readings");
        query.cursorBatchSize(fetchSize);
        return mongo.find(query, Document.class, mongo.getCollectionName(Alert.class)).map(AlertStore::exportedAlert);
    }

    /** A stored alert as Spring Data maps it, without its readings; {@code AlertStoreTest} checks the two agree. */
    static Alert exportedAlert(Document stored) {
        // Spring Data stores an id that looks like an ObjectId as one
        return new Alert(Objects.toString(stored.get("_id"), null), stored.getString("fleetId"), stored.getString("tableId"),
                named(AlertType.class, stored.getString("type")), named(Severity.class, stored.getString("severity")),
                named(AlertState.class, stored.getString("state")), stored.getString("reason"), instant(stored, "raisedAt"),
                instant(stored, "updatedAt"), instant(stored, "clearedAt"), stored.getString("acknowledgedBy"),
                instant(stored, "acknowledgedAt"), List.of(), stored.getString("location"));
    }

    private static <E extends Enum<E>> E named(Class<E> type, String name) {
        return name == null ? null : Enum.valueOf(type, name);
    }

    private static Instant instant(Document stored, String key) {
        Date date = stored.getDate(key);
        return date == null ? null : date.toInstant();
    }

    private static Criteria criteria(AlertQuery filter) {
        Criteria criteria = new Criteria();
        if (filter.fleetId() != null) {
            criteria = criteria.and("fleetId").is(filter.fleetId());
        }
        if (filter.tableId() != null) {
            criteria = criteria.and("tableId").is(filter.tableId());
        }
        if (filter.state() != null) {
            criteria = criteria.and("state").is(filter.state());
        }
        if (filter.type() != null) {
            criteria = criteria.and("type").is(filter.type());
        }
        if (filter.severity() != null) {
            criteria = criteria.and("severity").is(filter.severity());
        }
        if (filter.from() != null || filter.to() != null) {
            Criteria raised = criteria.and("raisedAt");
            if (filter.from() != null) {
                raised.gte(filter.from());
            }
            if (filter.to() != null) {
                raised.lt(filter.to());
            }
        }
        return criteria;
    }

    /** By the open slot, not the open states: the unique index answers it, on the MongoDB stand-in too, which scans for anything else. */
    private Mono<Alert> findOpen(AlertSignal signal) {
        return mongo.findOne(query(where("fleetId").is(signal.fleetId()).and("tableId").is(signal.tableId())
                .and("type").is(signal.type()).and(OpenAlertSlot.FIELD).is(OpenAlertSlot.OPEN)), Alert.class);
    }

    private Mono<Alert> replace(Alert read, Alert changed) {
        return mongo.findAndReplace(query(where("_id").is(read.id()).and("updatedAt").is(read.updatedAt())), changed)
                .map(previous -> changed)
                .switchIfEmpty(Mono.error(new ConcurrentChange(read.id())));
    }

    /** Another writer changed the alert between our read and our write. */
    static final class ConcurrentChange extends RuntimeException {
        ConcurrentChange(String id) {
            super("alert " + id + " changed concurrently", null, false, false);
        }
    }
}
