package io.tiltfleet.notification.acklinks;

import static org.springframework.data.mongodb.core.query.Criteria.where;
import static org.springframework.data.mongodb.core.query.Query.query;

import io.micrometer.core.instrument.MeterRegistry;
import io.tiltfleet.notification.NotificationProperties;
import io.tiltfleet.retention.RetentionPurge;
import jakarta.validation.constraints.NotNull;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.validation.annotation.Validated;

/**
 * A used link's nonce (with its recipient) is kept only while the link could still be used: a link expires at most
 * {@code ack-link-ttl} after it was used, and then its nonce stops nothing. Counted in
 * {@code tiltfleet_notification_retention_purged_total{kind="used-ack-links"}}.
 */
@Configuration(proxyBeanMethods = false)
class UsedLinksPurge {

    /** @param purgeEvery how often used links past their link's life are removed (also once at start); defaults in notification-service.yml */
    @Validated
    @ConfigurationProperties("tiltfleet.notification.used-links")
    record UsedLinksProperties(@NotNull Duration purgeEvery) {
    }

    @Bean(initMethod = "start", destroyMethod = "close")
    RetentionPurge usedAckLinksPurge(ReactiveMongoTemplate mongo, MeterRegistry registry, Clock clock, NotificationProperties properties,
                                     UsedLinksProperties usedLinks) {
        return new RetentionPurge(mongo, registry, clock, "tiltfleet.notification.retention.purged", usedLinks.purgeEvery(), List.of(
                new RetentionPurge.Kind("used-ack-links", UsedTokens.UsedToken.class, oldest -> query(where("usedAt").lt(oldest)),
                        properties.ackLinkTtl())));
    }
}
