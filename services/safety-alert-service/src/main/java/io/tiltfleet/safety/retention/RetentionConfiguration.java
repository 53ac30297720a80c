package io.tiltfleet.safety.retention;

import static org.springframework.data.mongodb.core.query.Criteria.where;
import static org.springframework.data.mongodb.core.query.Query.query;

import io.micrometer.core.instrument.MeterRegistry;
import io.tiltfleet.retention.RetentionPurge;
import io.tiltfleet.retention.RetentionPurge.Kind;
import io.tiltfleet.safety.alerts.Alert;
import io.tiltfleet.safety.alerts.AlertState;
import io.tiltfleet.safety.audit.AuditEntry;
import java.time.Clock;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;

@Configuration(proxyBeanMethods = false)
class RetentionConfiguration {

    @Bean(initMethod = "start", destroyMethod = "close")
    RetentionPurge safetyRetention(ReactiveMongoTemplate mongo, MeterRegistry registry, Clock clock, RetentionProperties retention) {
        return new RetentionPurge(mongo, registry, clock, "tiltfleet.safety.retention.purged", retention.every(), List.of(
                new Kind("alerts", Alert.class, oldest -> query(where("state").is(AlertState.CLEARED_ACKNOWLEDGED).and("updatedAt").lt(oldest)),
                        retention.alerts()),
                new Kind("audit", AuditEntry.class, oldest -> query(where("at").lt(oldest)), retention.audit())));
    }
}
