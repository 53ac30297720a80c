package io.tiltfleet.safety.limits;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tiltfleet.contract.Topics;
import io.tiltfleet.safety.SafetyProperties;
import io.tiltfleet.safety.audit.AuditEntry;
import io.tiltfleet.safety.audit.AuditLog;
import io.tiltfleet.safety.retention.RetentionProperties;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The fleets' configuration as ordered logs, {@code fleet.config.v1} and the table registry's {@code table.registry.v1}
 * (each compacted, one partition): a
 * change is accepted once Kafka holds it, and every instance, the one that took the request included,
 * reads every change in the log's order, records it in the audit trail and applies it to its rules. So
 * a change made through any instance reaches the tables every instance owns, an instance that starts
 * reads the latest of each fleet and table, and a change nobody has read yet is never lost.
 */
@Component
public class FleetConfigLog {

    static final String SKIPPED = "tiltfleet.safety.config.changes.skipped";
    private static final Logger log = LoggerFactory.getLogger(FleetConfigLog.class);
    private static final TypeReference<Map<String, Object>> FIELDS = new TypeReference<>() { };
    /** Each log has one partition: one order of its changes. */
    private static final TopicPartition CONFIG = new TopicPartition(Topics.FLEET_CONFIG, 0);
    private static final TopicPartition REGISTRY = new TopicPartition(Topics.TABLE_REGISTRY, 0);
    private static final String MIGRATION = "migration";
    private static final int MIGRATING_AT_ONCE = 16;

    private final FleetConfig config;
    private final AuditLog audit;
    private final ReactiveMongoTemplate mongo;
    private final KafkaTemplate<String, Object> kafka;
    private final Admin admin;
    private final ApplicationEventPublisher events;
    private final JsonMapper json;
    /** Reads what a newer version may have written: a setting it does not know is left out, not a reason to skip the change. */
    private final JsonMapper tolerantJson;
    private final Validator validator;
    private final Counter skipped;
    private final Clock clock;
    private final Duration timeout;
    /** How long audit entries are kept, or null for ever: the log is read again from its start at every start of an instance. */
    private final Duration auditRetention;
    /** The log read as far as it went when first asked, and the profiles of older versions moved into it: until then the rules wait. */
    private volatile CompletableFuture<Void> caughtUp;

    FleetConfigLog(FleetConfig config, AuditLog audit, ReactiveMongoTemplate mongo, KafkaTemplate<String, Object> kafka, Admin brokerLookAdmin,
                   ApplicationEventPublisher events, JsonMapper json, Validator validator, MeterRegistry registry, Clock clock,
                   SafetyProperties properties, RetentionProperties retention) {
        this.config = config;
        this.audit = audit;
        this.mongo = mongo;
        this.kafka = kafka;
        this.admin = brokerLookAdmin;
        this.events = events;
        this.json = json;
        this.tolerantJson = json.rebuild().addMixIn(FleetSettings.class, UnknownSettingsIgnored.class).build();
        this.validator = validator;
        this.skipped = Counter.builder(SKIPPED).description("Configuration changes read from the log but not applied: unreadable or invalid")
                .register(registry);
        this.clock = clock;
        this.timeout = properties.storeTimeout();
        this.auditRetention = retention.audit();
    }

    /**
     * Accepts a change: done once this instance has read it back and applied it, so that the caller's next
     * read shows it; all within the store timeout, which stays below the gateway's response timeout.
     *
     * @return empty once applied; {@link NotYetApplied} when Kafka holds it but it was not read back in time;
     *         {@link NotConfirmed} when Kafka did not confirm it in time (it may still land and take effect)
     */
    public Mono<Void> submit(ConfigChange change) {
        AtomicLong offset = new AtomicLong(-1);
        // off the event loop: a send may wait for the topic's metadata while Kafka is away
        return Mono.fromFuture(() -> kafka.send(change.kind().topic, change.key(), change)).subscribeOn(Schedulers.boundedElastic())
                .flatMap(sent -> {
                    offset.set(sent.getRecordMetadata().offset());
                    return Mono.fromFuture(config.applied(change.kind().topic, offset.get()));
                })
                .timeout(timeout)
                .onErrorMap(failure -> !(failure instanceof NotYetApplied), failure -> offset.get() >= 0 && failure instanceof TimeoutException
                        ? new NotYetApplied(change.kind().topic, offset.get()) : new NotConfirmed(failure));
    }

    /** Waits until this instance has read the log ({@link #whenCaughtUp}): the rules must not judge by defaults a fleet has changed. */
    public void awaitCaughtUp() {
        whenCaughtUp().block();
    }

    /**
     * Completes once this instance has read the configuration log as far as it went when first asked, and moved into it
     * the profiles an older version kept only in MongoDB; fails after the store timeout, and is asked again next time.
     * The table registry is not waited for: where a table stands changes no rule, and the rules must not wait on it.
     */
    public Mono<Void> whenCaughtUp() {
        return Mono.fromFuture(this::caughtUp, true).timeout(timeout).doOnError(failure -> forgetFailedCatchUp())
                .onErrorMap(failure -> new IllegalStateException("the fleets' settings and profiles are not read yet (" + Topics.FLEET_CONFIG
                        + " read up to offset " + config.readUpTo(Topics.FLEET_CONFIG) + "): " + failure, failure));
    }

    /** A catch-up that failed is begun again at the next ask; one still under way (a long migration) is waited for again. */
    private void forgetFailedCatchUp() {
        CompletableFuture<Void> known = caughtUp;
        if (known != null && known.isCompletedExceptionally()) {
            caughtUp = null;
        }
    }

    /** Begun once at a time: the rules and a request asking together must not each move the old profiles. */
    private synchronized CompletableFuture<Void> caughtUp() {
        CompletableFuture<Void> known = caughtUp;
        if (known != null) {
            return known;
        }
        known = readToEnd(CONFIG).thenCompose(read -> moveLegacyProfiles().toFuture());
        caughtUp = known;
        return known;
    }

    /**
     * Completes once this instance has read the table registry as far as it went when asked: for reads of one entry,
     * never for the rules. Asked anew each time (no migration to do once), within the store timeout.
     */
    public Mono<Void> whenRegistryRead() {
        return readAsFarAsNow(REGISTRY, "the table registry is");
    }

    /**
     * Completes once this instance has read both logs as far as they go now, not only as far as they went at its
     * catch-up: an export of a fleet's configuration must hold a change another instance accepted just before.
     */
    public Mono<Void> whenAllRead() {
        return whenCaughtUp().then(readAsFarAsNow(CONFIG, "the fleets' settings and profiles are")).then(whenRegistryRead());
    }

    private Mono<Void> readAsFarAsNow(TopicPartition log, String whatIs) {
        return Mono.fromFuture(() -> readToEnd(log), true).timeout(timeout)
                .onErrorMap(failure -> new IllegalStateException(whatIs + " not read yet (" + log.topic()
                        + " read up to offset " + config.readUpTo(log.topic()) + "): " + failure, failure));
    }

    private CompletableFuture<Void> readToEnd(TopicPartition log) {
        return admin.listOffsets(Map.of(log, OffsetSpec.latest())).partitionResult(log).toCompletionStage().toCompletableFuture()
                .thenCompose(end -> end.offset() == 0 ? CompletableFuture.<Void>completedFuture(null) : config.applied(log.topic(), end.offset() - 1));
    }

    /**
     * Profiles stored in MongoDB by a version before the log ({@code safety_profiles}, written no more), each one
     * the log does not hold yet put into it: no table loses its contraindications on an upgrade. Instances of the
     * older version must be stopped first: their later edits would reach MongoDB only, and one the log already
     * holds is not taken again (comparing times of different machines' clocks could undo an operator's edit).
     */
    private Mono<Void> moveLegacyProfiles() {
        return mongo.findAll(SafetyProfile.class).filter(profile -> config.profileOf(profile.fleetId(), profile.tableId()) == null)
                .flatMap(profile -> submit(ConfigChange.ofProfile(profile, MIGRATION, "stored before " + Topics.FLEET_CONFIG, clock.instant()))
                        .thenReturn(profile), MIGRATING_AT_ONCE)
                .count()
                .doOnNext(moved -> {
                    if (moved > 0) {
                        log.info("Moved {} profiles stored before {} into it", moved, Topics.FLEET_CONFIG);
                    }
                }).then();
    }

    /**
     * Every instance reads the whole log from its start (a consumer group of its own), a batch at a time:
     * first the audit entries of the batch's changes, then the changes applied here and handed to the
     * rules. A change older than the audit's retention is applied without an entry: the purge removed it
     * (or will at once), and an instance starting must not put it back. A batch that cannot be recorded (MongoDB away) is read again, applying nothing twice. A change
     * that cannot be read or breaks the settings' rules is skipped, counted and logged: it must not stop
     * every change after it. The broker answers a change at once and holds an empty fetch 500 ms, not the
     * rules' 50 ms: the log is mostly quiet, and each empty answer is work for the broker and this instance.
     */
    @KafkaListener(id = "fleet-config", topics = {Topics.FLEET_CONFIG, Topics.TABLE_REGISTRY}, batch = "true",
            groupId = "safety-config-#{T(java.util.UUID).randomUUID()}",
            properties = {"auto.offset.reset=earliest", "fetch.min.bytes=1", "fetch.max.wait.ms=500"})
    void onBatch(List<ConsumerRecord<String, byte[]>> records) {
        List<ConfigChange> changes = new ArrayList<>(records.size());
        List<AuditEntry> entries = new ArrayList<>(records.size());
        Map<String, Object> replaced = new HashMap<>();
        Instant auditedSince = auditRetention == null ? null : clock.instant().minus(auditRetention);
        for (ConsumerRecord<String, byte[]> record : records) {
            ConfigChange change = read(record);
            if (change == null) {
                continue;
            }
            String replacedKey = change.kind() + " " + change.key();
            Object before = replaced.containsKey(replacedKey) ? replaced.get(replacedKey) : config.current(change);
            replaced.put(replacedKey, change.value());
            changes.add(change);
            if (auditedSince != null && change.at() != null && change.at().isBefore(auditedSince)) {
                continue;
            }
            entries.add(new AuditEntry(change.id(), change.fleetId(), change.at(), change.by(), change.kind().what,
                    change.tableId(), fields(before), fields(change.value()), change.reason()));
        }
        audit.recordAll(entries).block(timeout);
        changes.forEach(config::apply);
        if (!changes.isEmpty()) {
            events.publishEvent(new ConfigChanged(changes));
        }
        Map<String, Long> next = new HashMap<>();
        records.forEach(record -> next.merge(record.topic(), record.offset() + 1, Math::max));
        next.forEach(config::readUpTo);
    }

    private ConfigChange read(ConsumerRecord<String, byte[]> record) {
        try {
            ConfigChange change = record.value() == null ? null : tolerantJson.readValue(record.value(), ConfigChange.class);
            if (change == null || change.id() == null || change.kind() == null || change.fleetId() == null || change.value() == null) {
                throw new IllegalArgumentException("a change needs an id, a kind, a fleet and its new value");
            }
            if (!change.kind().topic.equals(record.topic())) {
                throw new IllegalArgumentException("a change of kind " + change.kind() + " belongs on " + change.kind().topic);
            }
            if (!change.consistent()) {
                throw new IllegalArgumentException("its value names another fleet or table than the change");
            }
            Set<ConstraintViolation<Object>> violations = validator.validate(change.value());
            if (!violations.isEmpty()) {
                throw new IllegalArgumentException(violations.stream().map(violation -> violation.getPropertyPath() + " " + violation.getMessage())
                        .sorted().collect(Collectors.joining("; ")));
            }
            return change;
        } catch (RuntimeException e) {
            skipped.increment();
            log.atError().addKeyValue("offset", record.offset()).log("Skipping a configuration change that cannot be applied, {}: {}",
                    record.key(), e.getMessage());
            return null;
        }
    }

    private Map<String, Object> fields(Object value) {
        return value == null ? null : json.convertValue(value, FIELDS);
    }

    /** Changes read from the log and applied to {@link FleetConfig}, in the log's order. */
    public record ConfigChanged(List<ConfigChange> changes) {
    }

    /** Kafka holds the change, but this instance did not read it back in time: it takes effect once read. */
    public static final class NotYetApplied extends RuntimeException {
        NotYetApplied(String topic, long offset) {
            super("the change is accepted (" + topic + " offset " + offset + ") but not applied yet: it takes effect as soon as it is read");
        }
    }

    /** Kafka did not confirm the change in time: it may still land, and then take effect like any other. */
    public static final class NotConfirmed extends RuntimeException {
        NotConfirmed(Throwable cause) {
            super("Kafka did not confirm the change (" + cause + "): it may still take effect; read the value or the audit trail back before "
                    + "trying again", cause);
        }
    }

    /** For the log's reader: {@link FleetSettings#refuseUnknown} guards the API only. */
    private abstract static class UnknownSettingsIgnored {
        @JsonAnySetter(enabled = false)
        abstract void refuseUnknown(String name, Object value);
    }
}
