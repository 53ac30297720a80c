package io.tiltfleet.safety.profiles;

import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.stereotype.Component;
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

    public Mono<SafetyProfile> save(SafetyProfile profile) {
        return mongo.save(profile);
    }
}
