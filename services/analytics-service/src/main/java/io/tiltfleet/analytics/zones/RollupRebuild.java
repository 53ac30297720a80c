package io.tiltfleet.analytics.zones;

import static org.springframework.data.mongodb.core.query.Criteria.where;
import static org.springframework.data.mongodb.core.query.Query.query;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tiltfleet.analytics.sessions.SessionDocument;
import io.tiltfleet.analytics.sessions.SessionStore;
import io.tiltfleet.analytics.usage.FleetTimeZones;
import io.tiltfleet.analytics.usage.RollupStore;
import jakarta.annotation.PreDestroy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.data.mongodb.core.FindAndModifyOptions;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.stereotype.Component;

/**
 * Cuts a fleet's rollups again from its stored sessions when its time zone is not the one they were cut in: after the
 * fleet's zone changed, and at start for every fleet with sessions (a change made while no instance ran). Rollups of a
 * version before time zones were cut in UTC and stay as they are for a fleet in UTC.
 *
 * <p>One instance at a time per fleet, by a lease in {@code rollup_rebuilds} renewed with each chunk; another instance
 * looks again once the lease may have run out. Sessions are done newest first (the days a dashboard shows come back
 * first), 500 at a time, each chunk recomputed like a batch of the intake (idempotent) and then its progress stored,
 * so a stopped rebuild goes on where it was. Then the sessions of the day before the rebuild began are cut once more
 * (another instance's intake may have stored some while their hours were being cut here), and the rollups of other
 * zones removed, but those of periods before the oldest stored session, which cannot be cut again. Reports stay
 * answerable meanwhile, periods not cut yet reading as empty in the new zone.
 */
@Component
public class RollupRebuild {

    static final String SESSIONS_DONE = "tiltfleet.analytics.rollups.rebuild.sessions";
    static final String SESSIONS_LEFT = "tiltfleet.analytics.rollups.rebuild.remaining";
    private static final Logger log = LoggerFactory.getLogger(RollupRebuild.class);
    private static final int CHUNK = 500;
    private static final Duration STORE_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration LEASE = Duration.ofMinutes(2);
    private static final Duration RECENT = Duration.ofDays(1);
    private static final long RETRY_AFTER_SECONDS = 30;

    private final FleetZones zones;
    private final SessionStore sessions;
    private final RollupStore rollups;
    private final ReactiveMongoTemplate mongo;
    private final Clock clock;
    private final String instance = UUID.randomUUID().toString();
    private final Counter sessionsDone;
    private final AtomicLong sessionsLeft = new AtomicLong();
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "rollup-rebuild");
        thread.setDaemon(true);
        return thread;
    });

    RollupRebuild(FleetZones zones, SessionStore sessions, RollupStore rollups, ReactiveMongoTemplate mongo, Clock clock, MeterRegistry registry) {
        this.zones = zones;
        this.sessions = sessions;
        this.rollups = rollups;
        this.mongo = mongo;
        this.clock = clock;
        this.sessionsDone = Counter.builder(SESSIONS_DONE).description("Sessions whose rollups were cut again in their fleet's new time zone")
                .register(registry);
        Gauge.builder(SESSIONS_LEFT, sessionsLeft, AtomicLong::get)
                .description("Sessions of the fleet being rebuilt whose rollups are still to be cut in its time zone").register(registry);
    }

    @EventListener(ApplicationReadyEvent.class)
    void checkEveryFleet() {
        worker.execute(() -> run("every fleet", () -> {
            zones.whenRead().block(STORE_TIMEOUT);
            sessions.fleetIds().collectList().block(STORE_TIMEOUT).forEach(this::request);
        }, this::checkEveryFleet));
    }

    @EventListener
    void onZoneChanged(FleetSettingsLog.FleetZoneChanged changed) {
        request(changed.fleetId());
    }

    @PreDestroy
    void stop() {
        worker.shutdownNow();
    }

    private void request(String fleetId) {
        worker.execute(() -> run("fleet " + fleetId, () -> {
            zones.whenRead().block(STORE_TIMEOUT);
            rebuildIfNeeded(fleetId);
        }, () -> request(fleetId)));
    }

    /** A rebuild that failed (Kafka or MongoDB away), or that another instance holds, is looked at again later. */
    private void run(String what, Runnable work, Runnable again) {
        try {
            work.run();
        } catch (RuntimeException failure) {
            log.warn("Cutting rollups in time zones failed for {}, trying again in {} s: {}", what, RETRY_AFTER_SECONDS, failure.toString());
            worker.schedule(again, RETRY_AFTER_SECONDS, TimeUnit.SECONDS);
        }
    }

    private void rebuildIfNeeded(String fleetId) {
        ZoneId zone = zones.zoneOf(fleetId);
        String zoneName = FleetTimeZones.nameOf(zone);
        RebuildDocument known = mongo.findById(fleetId, RebuildDocument.class).block(STORE_TIMEOUT);
        if (known != null && zoneName.equals(known.zone()) && known.done()) {
            return;
        }
        if (known == null && zone.equals(ZoneOffset.UTC)) {
            mongo.save(new RebuildDocument(fleetId, zoneName, clock.instant(), null, null, 0, true, null, null)).block(STORE_TIMEOUT);
            return;
        }
        RebuildDocument claimed = claim(fleetId);
        if (claimed == null) {
            log.info("Another instance is cutting fleet {}'s rollups; looking again in {}", fleetId, LEASE);
            worker.schedule(() -> request(fleetId), LEASE.toSeconds(), TimeUnit.SECONDS);
            return;
        }
        // a rebuild of this zone that stopped after a chunk goes on; anything else (another zone, a claim that never got to
        // its first chunk) begins again
        boolean resumable = zoneName.equals(claimed.zone()) && claimed.began() != null && !claimed.done();
        RebuildDocument progress = resumable ? claimed
                : new RebuildDocument(fleetId, zoneName, clock.instant(), null, null, 0, false, instance, claimed.leaseUntil());
        rebuild(zone, progress);
    }

    /** The fleet's rebuild for this instance, or null while another holds it. */
    private RebuildDocument claim(String fleetId) {
        Instant now = clock.instant();
        Criteria free = new Criteria().orOperator(where("leaseUntil").exists(false), where("leaseUntil").is(null),
                where("leaseUntil").lt(now), where("owner").is(instance));
        try {
            return mongo.findAndModify(query(where("_id").is(fleetId).andOperator(free)),
                    new Update().set("owner", instance).set("leaseUntil", now.plus(LEASE)).setOnInsert("sessionsDone", 0L).setOnInsert("done", false),
                    FindAndModifyOptions.options().upsert(true).returnNew(true), RebuildDocument.class).block(STORE_TIMEOUT);
        } catch (DuplicateKeyException heldByAnother) {
            return null;
        }
    }

    private void rebuild(ZoneId zone, RebuildDocument started) {
        String fleetId = started.fleetId();
        long total = sessions.countOf(fleetId).block(STORE_TIMEOUT);
        log.info("Cutting fleet {}'s rollups in {}: {} sessions, {} done before", fleetId, started.zone(), total, started.sessionsDone());
        sessionsLeft.set(Math.max(0, total - started.sessionsDone()));
        RebuildDocument progress = started;
        for (List<SessionDocument> chunk : sessions.newestFirstBefore(fleetId, progress.lastStart(), progress.lastId(), CHUNK).buffer(CHUNK)
                .toIterable(1)) {
            if (!zones.zoneOf(fleetId).equals(zone)) {
                log.info("Fleet {}'s time zone changed again while its rollups were cut in {}", fleetId, started.zone());
                return;
            }
            rollups.recompute(chunk, STORE_TIMEOUT);
            progress = progress.after(chunk.get(chunk.size() - 1), chunk.size(), clock.instant().plus(LEASE));
            if (!stillOurs(zone, progress)) {
                return;
            }
            sessionsDone.increment(chunk.size());
            sessionsLeft.set(Math.max(0, total - progress.sessionsDone()));
            log.info("Cutting fleet {}'s rollups in {}: {} of {} sessions done", fleetId, started.zone(), progress.sessionsDone(), total);
        }
        for (List<SessionDocument> recent : sessions.newestFirstBefore(fleetId, null, null, CHUNK)
                .takeWhile(session -> !session.start().isBefore(started.began().minus(RECENT))).buffer(CHUNK).toIterable(1)) {
            rollups.recompute(recent, STORE_TIMEOUT);
            progress = progress.renewed(clock.instant().plus(LEASE));
            if (!stillOurs(zone, progress)) {
                return;
            }
        }
        // removing the other zones' rollups is the one step that cannot be redone: only while this zone and this lease hold
        if (!stillOurs(zone, progress.renewed(clock.instant().plus(LEASE)))) {
            return;
        }
        // newest first: where the rebuild stopped is the fleet's oldest session
        long removed = rollups.removeOtherZones(fleetId, zone, progress.lastStart()).block(STORE_TIMEOUT);
        if (!saveIfStillOwner(new RebuildDocument(fleetId, started.zone(), started.began(), progress.lastStart(), progress.lastId(),
                progress.sessionsDone(), true, null, null))) {
            log.warn("Fleet {}'s rebuild in {} was taken over by another instance as it ended", fleetId, started.zone());
            return;
        }
        sessionsLeft.set(0);
        log.info("Fleet {}'s rollups are cut in {}: {} sessions, {} rollups of other zones removed", fleetId, started.zone(),
                progress.sessionsDone(), removed);
    }

    /** Stores the progress with a renewed lease, if the fleet's zone is still this one and the lease still this instance's. */
    private boolean stillOurs(ZoneId zone, RebuildDocument progress) {
        if (!zones.zoneOf(progress.fleetId()).equals(zone)) {
            log.info("Fleet {}'s time zone changed again while its rollups were cut in {}", progress.fleetId(), progress.zone());
            return false;
        }
        if (!saveIfStillOwner(progress)) {
            log.warn("Fleet {}'s rebuild in {} was taken over by another instance", progress.fleetId(), progress.zone());
            return false;
        }
        return true;
    }

    private boolean saveIfStillOwner(RebuildDocument progress) {
        Update update = new Update().set("zone", progress.zone()).set("began", progress.began()).set("lastStart", progress.lastStart())
                .set("lastId", progress.lastId()).set("sessionsDone", progress.sessionsDone()).set("done", progress.done())
                .set("owner", progress.owner()).set("leaseUntil", progress.leaseUntil());
        return mongo.updateFirst(query(where("_id").is(progress.fleetId()).and("owner").is(instance)), update, RebuildDocument.class)
                .block(STORE_TIMEOUT).getMatchedCount() == 1;
    }
}
