package io.tiltfleet.analytics.intake;

import static org.springframework.data.mongodb.core.query.Criteria.where;
import static org.springframework.data.mongodb.core.query.Query.query;

import java.util.Collection;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.data.mongodb.core.BulkOperations;
import org.springframework.data.mongodb.core.FindAndReplaceOptions;
import org.springframework.data.mongodb.core.ReactiveBulkOperations;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/** The progress of tables in MongoDB, by table key. */
@Component
class ProgressStore {

    private final ReactiveMongoTemplate mongo;

    ProgressStore(ReactiveMongoTemplate mongo) {
        this.mongo = mongo;
    }

    Mono<Map<String, ProgressDocument>> find(Collection<String> tableKeys) {
        return mongo.find(query(where("_id").in(tableKeys)), ProgressDocument.class)
                .collect(Collectors.toMap(ProgressDocument::id, progress -> progress));
    }

    Mono<Void> storeAll(Collection<ProgressDocument> progress) {
        if (progress.isEmpty()) {
            return Mono.empty();
        }
        ReactiveBulkOperations bulk = mongo.bulkOps(BulkOperations.BulkMode.UNORDERED, ProgressDocument.class);
        progress.forEach(table -> bulk.replaceOne(query(where("_id").is(table.id())), table, FindAndReplaceOptions.options().upsert()));
        return bulk.execute().then();
    }
}
