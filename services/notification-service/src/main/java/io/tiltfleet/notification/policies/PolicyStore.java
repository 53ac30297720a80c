package io.tiltfleet.notification.policies;

import java.time.Instant;
import java.util.List;
import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.mapping.Document;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/** Policies in MongoDB, one document per fleet. */
@Component
public class PolicyStore {

    @Document("notification_policy")
    record PolicyDocument(@Id String fleetId, List<Channel> channels, List<Rule> rules, Instant updatedAt) {
    }

    private final ReactiveMongoTemplate mongo;

    PolicyStore(ReactiveMongoTemplate mongo) {
        this.mongo = mongo;
    }

    public Mono<NotificationPolicy> find(String fleetId) {
        return mongo.findById(fleetId, PolicyDocument.class)
                .map(doc -> new NotificationPolicy(doc.fleetId(), doc.channels(), doc.rules(), doc.updatedAt()));
    }

    Mono<NotificationPolicy> save(NotificationPolicy policy) {
        return mongo.save(new PolicyDocument(policy.fleetId(), policy.channels(), policy.rules(), policy.updatedAt())).thenReturn(policy);
    }
}
