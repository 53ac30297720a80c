package io.tiltfleet.safety.audit;

import static org.springframework.data.mongodb.core.query.Criteria.where;

import com.mongodb.ErrorCategory;
import com.mongodb.bulk.BulkWriteError;
import io.tiltfleet.safety.BulkWriteErrors;
import java.util.Collection;
import java.util.List;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.BulkOperations;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.index.Index;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The audit trail in MongoDB: entries are only ever inserted. */
@Component
public class AuditLog {

    private final ReactiveMongoTemplate mongo;

    AuditLog(ReactiveMongoTemplate mongo) {
        this.mongo = mongo;
    }

    /**
     * Records these entries, each once: every instance reads every change and records it, and an entry an
     * instance (or an earlier attempt) already recorded is left as it was.
     */
    public Mono<Void> recordAll(Collection<AuditEntry> entries) {
        if (entries.isEmpty()) {
            return Mono.empty();
        }
        return mongo.bulkOps(BulkOperations.BulkMode.UNORDERED, AuditEntry.class).insert(entries.stream().toList()).execute()
                .onErrorResume(AuditLog::onlyRecordedBefore, recordedBefore -> Mono.empty()).then();
    }

    private static boolean onlyRecordedBefore(Throwable failure) {
        List<BulkWriteError> errors = BulkWriteErrors.of(failure);
        return errors != null && errors.stream().allMatch(error -> ErrorCategory.fromErrorCode(error.getCode()) == ErrorCategory.DUPLICATE_KEY);
    }

    /** Newest first, one page. */
    Flux<AuditEntry> search(AuditQuery filter, int page, int size) {
        Query query = Query.query(criteria(filter)).with(Sort.by(Sort.Direction.DESC, "at").and(Sort.by("_id"))).skip((long) page * size).limit(size);
        return mongo.find(query, AuditEntry.class);
    }

    /** Oldest first, all of them: an export. */
    Flux<AuditEntry> all(AuditQuery filter) {
        return mongo.find(Query.query(criteria(filter)).with(Sort.by("at", "_id")), AuditEntry.class);
    }

    public Mono<Void> createIndexes() {
        return mongo.indexOps(AuditEntry.class).createIndex(new Index().on("fleetId", Sort.Direction.ASC).on("at", Sort.Direction.ASC)).then();
    }

    private static Criteria criteria(AuditQuery filter) {
        Criteria criteria = where("fleetId").is(filter.fleetId());
        if (filter.what() != null) {
            criteria = criteria.and("what").is(filter.what());
        }
        if (filter.tableId() != null) {
            criteria = criteria.and("tableId").is(filter.tableId());
        }
        if (filter.by() != null) {
            criteria = criteria.and("by").is(filter.by());
        }
        if (filter.from() != null || filter.to() != null) {
            Criteria at = criteria.and("at");
            if (filter.from() != null) {
                at = at.gte(filter.from());
            }
            if (filter.to() != null) {
                at.lt(filter.to());
            }
        }
        return criteria;
    }
}
