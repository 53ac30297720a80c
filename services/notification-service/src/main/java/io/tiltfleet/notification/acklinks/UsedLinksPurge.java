package io.tiltfleet.notification.acklinks;

import static org.springframework.data.mongodb.core.query.Criteria.where;
import static org.springframework.data.mongodb.core.query.Query.query;

import io.micrometer.core.instrument.MeterRegistry;
import io.tiltfleet.notification.NotificationProperties;
import io.tiltfleet.notification.PurgeProperties;
import io.tiltfleet.retention.RetentionPurge;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;

/**
 * A used link's nonce (with its recipient) is kept only while the link could still be used: once the link has expired
 * (by the expiry it was issued with; for one stored before that was kept, {@code ack-link-ttl} after its use) its nonce
 * stops nothing. Counted in {@code tiltfleet_notification_retention_purged_total{kind="used-ack-links"}}.
 */
@Configuration(proxyBeanMethods = false)
class UsedLinksPurge {

    /** Past the expiry, for the clocks of the instance that issued the link and of the one that purges. */
    private static final Duration CLOCK_MARGIN = Duration.ofMinutes(5);

    @Bean(initMethod = "start", destroyMethod = "close")
    RetentionPurge usedAckLinksPurge(ReactiveMongoTemplate mongo, MeterRegistry registry, Clock clock, NotificationProperties properties,
                                     PurgeProperties purge) {
        return new RetentionPurge(mongo, registry, clock, PurgeProperties.PURGED, purge.every(), List.of(
                new RetentionPurge.Kind("used-ack-links", UsedTokens.UsedToken.class, expiredBefore -> query(new Criteria().orOperator(
                        where("expiresAt").lt(expiredBefore),
                        where("expiresAt").exists(false).and("usedAt").lt(expiredBefore.minus(properties.ackLinkTtl())))), CLOCK_MARGIN)));
    }
}
