package io.tiltfleet.analytics.retention;

import static org.springframework.data.mongodb.core.query.Criteria.where;
import static org.springframework.data.mongodb.core.query.Query.query;

import io.micrometer.core.instrument.MeterRegistry;
import io.tiltfleet.analytics.safety.AlertFact;
import io.tiltfleet.analytics.sessions.SessionDocument;
import io.tiltfleet.analytics.sessions.TraceDocument;
import io.tiltfleet.analytics.usage.RollupDocument;
import io.tiltfleet.retention.RetentionPurge;
import io.tiltfleet.retention.RetentionPurge.Kind;
import java.time.Clock;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;

@Configuration(proxyBeanMethods = false)
class RetentionConfiguration {

    /** Sessions and traces by their start, rollups by their period's, alert facts by when the alert was raised. */
    @Bean(initMethod = "start", destroyMethod = "close")
    RetentionPurge analyticsRetention(ReactiveMongoTemplate mongo, MeterRegistry registry, Clock clock, RetentionProperties retention) {
        return new RetentionPurge(mongo, registry, clock, "tiltfleet.analytics.retention.purged", retention.every(), List.of(
                new Kind("sessions", SessionDocument.class, oldest -> query(where("start").lt(oldest)), retention.sessions()),
                new Kind("traces", TraceDocument.class, oldest -> query(where("start").lt(oldest)), retention.traces()),
                new Kind("rollups", RollupDocument.class, oldest -> query(where("periodStart").lt(oldest)), retention.rollups()),
                new Kind("alert-facts", AlertFact.class, oldest -> query(where("raisedAt").lt(oldest)), retention.alertFacts())));
    }
}
