package io.tiltfleet.safety.profiles;

import static org.springframework.data.mongodb.core.query.Criteria.where;
import static org.springframework.data.mongodb.core.query.Query.query;

import java.util.Collection;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

@Component
public class ProfileStore {

    private final ReactiveMongoTemplate mongo;

    ProfileStore(ReactiveMongoTemplate mongo) {
        this.mongo = mongo;
    }

    public Mono<SafetyProfile> find(String fleetId, String tableId) {
        return mongo.findById(SafetyProfile.idOf(fleetId, tableId), SafetyProfile.class);
    }

    /** The profiles of these tables ({@link SafetyProfile#idOf} ids); tables without one are left out. */
    public Flux<SafetyProfile> findAll(Collection<String> ids) {
        return mongo.find(query(where("_id").in(ids)), SafetyProfile.class);
    }

    public Mono<SafetyProfile> save(SafetyProfile profile) {
        return mongo.save(profile);
    }
}
