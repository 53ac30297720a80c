package io.tiltfleet.notification.delivery;

import static org.springframework.data.mongodb.core.query.Criteria.where;
import static org.springframework.data.mongodb.core.query.Query.query;

import io.micrometer.core.instrument.MeterRegistry;
import io.tiltfleet.contract.TopicCatalogue;
import io.tiltfleet.notification.PurgeProperties;
import io.tiltfleet.retention.RetentionPurge;
import java.time.Clock;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;

/**
 * The state of an alert closed (cleared and acknowledged) is what tells an event of it read again (after a rebalance, or
 * the group's offsets read anew) from a new one: it is kept while the alert topic may still hold its events, and removed
 * after that. Counted in {@code tiltfleet_notification_retention_purged_total{kind="closed-alert-states"}}.
 */
@Configuration(proxyBeanMethods = false)
class ClosedAlertsPurge {

    @Bean(initMethod = "start", destroyMethod = "close")
    RetentionPurge closedAlertStatesPurge(ReactiveMongoTemplate mongo, MeterRegistry registry, Clock clock, PurgeProperties purge) {
        return new RetentionPurge(mongo, registry, clock, PurgeProperties.PURGED, purge.every(), List.of(
                new RetentionPurge.Kind("closed-alert-states", AlertStateStore.AlertState.class,
                        oldest -> query(where("state").is(AlertStateStore.CLOSED).and("updatedAt").lt(oldest)),
                        TopicCatalogue.SAFETY_ALERTS.retention())));
    }
}
