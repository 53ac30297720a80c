package io.tiltfleet.safety.limits;

import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;

/** The profiles versions before the configuration log kept in MongoDB only ({@code safety_profiles}); nothing writes there now. */
@Component
class LegacyProfiles {

    private final ReactiveMongoTemplate mongo;

    LegacyProfiles(ReactiveMongoTemplate mongo) {
        this.mongo = mongo;
    }

    Flux<SafetyProfile> all() {
        return mongo.findAll(SafetyProfile.class);
    }
}
