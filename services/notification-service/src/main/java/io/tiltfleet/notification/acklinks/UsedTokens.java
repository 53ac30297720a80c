package io.tiltfleet.notification.acklinks;

import java.time.Instant;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.mapping.Document;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/** The nonces of ack links used: the unique {@code _id} makes a link usable once, however many instances race. */
@Component
class UsedTokens {

    /** @param expiresAt when the link stops working, and its nonce with it (null in those stored before it was kept) */
    @Document("used_ack_token")
    record UsedToken(@Id String nonce, String alertId, String recipient, Instant usedAt, Instant expiresAt) {
    }

    private final ReactiveMongoTemplate mongo;

    UsedTokens(ReactiveMongoTemplate mongo) {
        this.mongo = mongo;
    }

    /** True if this use is the first. */
    Mono<Boolean> use(AckTokens.Claims claims, Instant now) {
        return mongo.insert(new UsedToken(claims.nonce(), claims.alertId(), claims.recipient(), now, Instant.ofEpochSecond(claims.expiresAt())))
                .thenReturn(true)
                .onErrorResume(DuplicateKeyException.class, used -> Mono.just(false));
    }

    /** Gives the link back when the acknowledgement could not be made, so that it can be tried again. */
    Mono<Void> release(AckTokens.Claims claims) {
        return mongo.remove(Query.query(Criteria.where("_id").is(claims.nonce())), UsedToken.class).then();
    }
}
