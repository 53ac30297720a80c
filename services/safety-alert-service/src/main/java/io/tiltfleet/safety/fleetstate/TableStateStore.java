package io.tiltfleet.safety.fleetstate;

import static org.springframework.data.mongodb.core.query.Criteria.where;
import static org.springframework.data.mongodb.core.query.Query.query;

import java.util.Collection;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.BulkOperations;
import org.springframework.data.mongodb.core.FindAndReplaceOptions;
import org.springframework.data.mongodb.core.ReactiveBulkOperations;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.index.Index;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The stored table states: what the rules load and save, and what every instance's fleet view reads. */
@Component
public class TableStateStore {

    private final ReactiveMongoTemplate mongo;

    TableStateStore(ReactiveMongoTemplate mongo) {
        this.mongo = mongo;
    }

    /** The stored states of these tables ({@link io.tiltfleet.contract.TableRef#key} ids); tables never stored are left out. */
    public Flux<TableStateDocument> findAll(Collection<String> tableKeys) {
        return mongo.find(query(where("_id").in(tableKeys)), TableStateDocument.class);
    }

    /** The tables whose readings come from these partitions: what a new owner of them adopts. */
    public Flux<TableStateDocument> inPartitions(Collection<Integer> partitions) {
        return mongo.find(query(where("partition").in(partitions)), TableStateDocument.class);
    }

    /** One bulk write for a batch's tables, each replacing the table's stored state. */
    public Mono<Void> saveAll(Collection<TableStateDocument> states) {
        if (states.isEmpty()) {
            return Mono.empty();
        }
        ReactiveBulkOperations bulk = mongo.bulkOps(BulkOperations.BulkMode.UNORDERED, TableStateDocument.class);
        states.forEach(state -> bulk.replaceOne(query(where("_id").is(state.id())), state, FindAndReplaceOptions.options().upsert()));
        return bulk.execute().then();
    }

    /** The live state of a fleet's tables, from storage: complete whichever instance owns which table. */
    public Flux<TableLiveState> fleet(String fleetId) {
        return states(fleetId).map(TableStateDocument::liveState);
    }

    /** The stored states of a fleet's tables. */
    public Flux<TableStateDocument> states(String fleetId) {
        return mongo.find(query(where("fleetId").is(fleetId)), TableStateDocument.class);
    }

    /** The fleet views read the table states of one fleet; a new owner of a partition, that partition's. */
    public Mono<Void> createIndexes() {
        return Flux.concat(mongo.indexOps(TableStateDocument.class).createIndex(new Index().on("fleetId", Sort.Direction.ASC)),
                mongo.indexOps(TableStateDocument.class).createIndex(new Index().on("partition", Sort.Direction.ASC))).then();
    }
}
