package io.tiltfleet.notification.delivery;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tiltfleet.contract.NotificationDelivery;
import io.tiltfleet.contract.TableRef;
import io.tiltfleet.contract.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.data.annotation.Id;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.index.Index;
import org.springframework.data.mongodb.core.mapping.Document;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** Records every attempt: in MongoDB for the API, on Kafka for whoever follows deliveries, and in the metrics. */
@Component
public class DeliveryRecorder {

    public static final String DELIVERIES = "tiltfleet.notification.deliveries";
    public static final String PENDING = "tiltfleet.notification.pending";
    public static final String LAG = "tiltfleet.notification.escalation.lag";

    /** One attempt as stored, its id MongoDB's own: attempts of one notification share the idempotency key. */
    @Document("notification_delivery")
    record Attempt(@Id String id, NotificationDelivery delivery) {
    }

    private final ReactiveMongoTemplate mongo;
    private final KafkaTemplate<String, Object> kafka;
    private final MeterRegistry registry;
    private final Timer lag;
    private final AtomicLong pending = new AtomicLong();

    DeliveryRecorder(ReactiveMongoTemplate mongo, KafkaTemplate<String, Object> kafka, MeterRegistry registry) {
        this.mongo = mongo;
        this.kafka = kafka;
        this.registry = registry;
        // buckets, so that Prometheus and Grafana can take its p99
        this.lag = Timer.builder(LAG).description("From when a notification was due to when it was delivered").publishPercentileHistogram()
                .register(registry);
        registry.gauge(PENDING, pending);
    }

    Mono<Void> createIndexes() {
        return mongo.indexOps(Attempt.class).createIndex(new Index().on("delivery.fleetId", Sort.Direction.ASC).on("delivery.at", Sort.Direction.DESC))
                .then(mongo.indexOps(Attempt.class).createIndex(new Index().on("delivery.alertId", Sort.Direction.ASC))).then();
    }

    /** @param due when the notification was due, for the lag of a delivered one */
    Mono<Void> record(NotificationDelivery delivery, Instant due) {
        registry.counter(DELIVERIES, "outcome", delivery.outcome(), "kind", delivery.channelKind()).increment();
        if ("DELIVERED".equals(delivery.outcome())) {
            lag.record(Duration.between(due, delivery.at()).abs());
        }
        Mono<Void> published = Mono.fromFuture(() -> kafka.send(Topics.NOTIFICATION_DELIVERIES,
                new TableRef(delivery.fleetId(), delivery.tableId()).key(), delivery)).subscribeOn(Schedulers.boundedElastic()).then();
        return mongo.insert(new Attempt(null, delivery)).then(published);
    }

    void pending(long count) {
        pending.set(count);
    }

    /** Newest first, at most {@code limit}; null filters filter nothing. */
    public Flux<NotificationDelivery> search(String fleetId, String alertId, String outcome, int limit) {
        Criteria criteria = new Criteria();
        if (fleetId != null) {
            criteria = criteria.and("delivery.fleetId").is(fleetId);
        }
        if (alertId != null) {
            criteria = criteria.and("delivery.alertId").is(alertId);
        }
        if (outcome != null) {
            criteria = criteria.and("delivery.outcome").is(outcome);
        }
        return mongo.find(Query.query(criteria).with(Sort.by(Sort.Direction.DESC, "delivery.at")).limit(limit), Attempt.class)
                .map(Attempt::delivery);
    }
}
