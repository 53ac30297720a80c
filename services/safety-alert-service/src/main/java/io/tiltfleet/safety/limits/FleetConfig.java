package io.tiltfleet.safety.limits;

import io.tiltfleet.contract.TableRef;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.springframework.stereotype.Component;

/**
 * Every fleet's settings and every table's profile as this instance has read them from {@code fleet.config.v1},
 * up to one offset: all instances read the same records in the same order, so each holds what the others do.
 */
@Component
public class FleetConfig {

    private final Map<String, FleetSettings> settings = new ConcurrentHashMap<>();
    private final Map<String, SafetyProfile> profiles = new ConcurrentHashMap<>();
    private final Map<String, Maintenance> maintenances = new ConcurrentHashMap<>();
    /** Requests waiting for their change to be read back, by the change's offset. */
    private final NavigableMap<Long, CompletableFuture<Void>> waiting = new ConcurrentSkipListMap<>();
    private volatile long readUpTo;

    public FleetSettings settingsOf(String fleetId) {
        return settings.getOrDefault(fleetId, FleetSettings.NONE);
    }

    /** Null for a table without a profile of its own. */
    public SafetyProfile profileOf(String fleetId, String tableId) {
        return profiles.get(new TableRef(fleetId, tableId).key());
    }

    /** Null for a table never put under maintenance. */
    public Maintenance maintenanceOf(String fleetId, String tableId) {
        return maintenances.get(ConfigChange.maintenanceKey(fleetId, tableId));
    }

    /** The fleet's tables under maintenance at this time. */
    public List<Maintenance> underMaintenance(String fleetId, Instant now) {
        return maintenances.values().stream().filter(maintenance -> maintenance.fleetId().equals(fleetId) && maintenance.at(now))
                .sorted(Comparator.comparing(Maintenance::tableId)).toList();
    }

    /** What the change replaces: the value before it, null if there was none. */
    Object current(ConfigChange change) {
        return switch (change.kind()) {
            case SETTINGS -> settings.get(change.key());
            case PROFILE -> profiles.get(change.key());
            case MAINTENANCE -> maintenances.get(change.key());
        };
    }

    void apply(ConfigChange change) {
        switch (change.kind()) {
            case SETTINGS -> settings.put(change.key(), change.settings());
            case PROFILE -> profiles.put(change.key(), change.profile());
            case MAINTENANCE -> maintenances.put(change.key(), change.maintenance());
        }
    }

    /** Everything before {@code next} has been read and applied. */
    void readUpTo(long next) {
        readUpTo = next;
        NavigableMap<Long, CompletableFuture<Void>> done = waiting.headMap(next, false);
        done.values().forEach(applied -> applied.complete(null));
        done.clear();
    }

    long readUpTo() {
        return readUpTo;
    }

    /** Completes once the record at this offset has been read and applied here. */
    CompletableFuture<Void> applied(long offset) {
        CompletableFuture<Void> applied = waiting.computeIfAbsent(offset, o -> new CompletableFuture<>());
        if (offset < readUpTo) {
            waiting.remove(offset);
            applied.complete(null);
        }
        return applied;
    }
}
