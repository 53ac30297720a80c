package io.tiltfleet.analytics.zones;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tiltfleet.analytics.sessions.SessionDocument;
import io.tiltfleet.analytics.sessions.SessionStore;
import io.tiltfleet.analytics.usage.RollupStore;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.stereotype.Component;

/**
 * Cuts a fleet's rollups again from its stored sessions when its time zone is not the one they were cut in: after the
 * fleet's zone changed, and at start for every fleet with sessions (rollups of a version before time zones, or a
 * change made while no instance ran). Each chunk of sessions is recomputed like a batch of the intake (idempotent),
 * then the progress stored, so a stopped rebuild goes on where it was; once all are done the rollups of other zones are
 * removed. Reports stay answerable meanwhile, with the periods not cut again yet still empty in the new zone.
 * One rebuild at a time per instance, off the intake's thread; each instance that sees the change does it, to the same result.
 */
@Component
public class RollupRebuild {

    static final String SESSIONS_DONE = "tiltfleet.analytics.rollups.rebuild.sessions";
    static final String SESSIONS_LEFT = "tiltfleet.analytics.rollups.rebuild.remaining";
    private static final Logger log = LoggerFactory.getLogger(RollupRebuild.class);
    private static final int CHUNK = 500;
    private static final Duration STORE_TIMEOUT = Duration.ofSeconds(60);
    private static final long RETRY_AFTER_SECONDS = 30;

    private final FleetZones zones;
    private final SessionStore sessions;
    private final RollupStore rollups;
    private final ReactiveMongoTemplate mongo;
    private final Counter sessionsDone;
    private final AtomicLong sessionsLeft = new AtomicLong();
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "rollup-rebuild");
        thread.setDaemon(true);
        return thread;
    });

    RollupRebuild(FleetZones zones, SessionStore sessions, RollupStore rollups, ReactiveMongoTemplate mongo, MeterRegistry registry) {
        this.zones = zones;
        this.sessions = sessions;
        this.rollups = rollups;
        this.mongo = mongo;
        this.sessionsDone = Counter.builder(SESSIONS_DONE).description("Sessions whose rollups were cut again in their fleet's new time zone")
                .register(registry);
        Gauge.builder(SESSIONS_LEFT, sessionsLeft, AtomicLong::get)
                .description("Sessions of the fleet being rebuilt whose rollups are still to be cut in its time zone").register(registry);
    }

    @EventListener(ApplicationReadyEvent.class)
    void checkEveryFleet() {
        worker.execute(() -> run("every fleet", () -> {
            zones.whenRead().block(STORE_TIMEOUT);
            List<String> fleets = sessions.fleetIds().collectList().block(STORE_TIMEOUT);
            fleets.forEach(this::rebuildIfNeeded);
        }, this::checkEveryFleet));
    }

    @EventListener
    void onZoneChanged(FleetSettingsLog.FleetZoneChanged changed) {
        request(changed.fleetId());
    }

    private void request(String fleetId) {
        worker.execute(() -> run("fleet " + fleetId, () -> {
            zones.whenRead().block(STORE_TIMEOUT);
            rebuildIfNeeded(fleetId);
        }, () -> request(fleetId)));
    }

    /** A rebuild that failed (Kafka or MongoDB away) is tried again later, from where it stopped. */
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
        String zoneName = FleetZones.nameOf(zone);
        RebuildDocument known = mongo.findById(fleetId, RebuildDocument.class).block(STORE_TIMEOUT);
        if (known != null && known.zone().equals(zoneName) && known.done()) {
            return;
        }
        RebuildDocument progress = known != null && known.zone().equals(zoneName) ? known
                : new RebuildDocument(fleetId, zoneName, null, null, 0, false);
        long total = sessions.countOf(fleetId).block(STORE_TIMEOUT);
        log.info("Cutting fleet {}'s rollups in {}: {} sessions, {} done before", fleetId, zoneName, total, progress.sessionsDone());
        sessionsLeft.set(Math.max(0, total - progress.sessionsDone()));
        for (List<SessionDocument> chunk : sessions.after(fleetId, progress.lastStart(), progress.lastId(), CHUNK).buffer(CHUNK).toIterable()) {
            if (!zones.zoneOf(fleetId).equals(zone)) {
                log.info("Fleet {}'s time zone changed again during its rebuild in {}", fleetId, zoneName);
                return;
            }
            rollups.recompute(chunk, STORE_TIMEOUT);
            SessionDocument last = chunk.get(chunk.size() - 1);
            progress = new RebuildDocument(fleetId, zoneName, last.start(), last.id(), progress.sessionsDone() + chunk.size(), false);
            mongo.save(progress).block(STORE_TIMEOUT);
            sessionsDone.increment(chunk.size());
            sessionsLeft.set(Math.max(0, total - progress.sessionsDone()));
            log.info("Cutting fleet {}'s rollups in {}: {} of {} sessions done", fleetId, zoneName, progress.sessionsDone(), total);
        }
        long removed = rollups.removeOtherZones(fleetId, zone).block(STORE_TIMEOUT);
        mongo.save(new RebuildDocument(fleetId, zoneName, progress.lastStart(), progress.lastId(), progress.sessionsDone(), true)).block(STORE_TIMEOUT);
        sessionsLeft.set(0);
        log.info("Fleet {}'s rollups are cut in {}: {} sessions, {} rollups of other zones removed", fleetId, zoneName, progress.sessionsDone(), removed);
    }
}
