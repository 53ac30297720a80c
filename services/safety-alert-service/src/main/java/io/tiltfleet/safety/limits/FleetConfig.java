package io.tiltfleet.safety.limits;

import io.tiltfleet.contract.TableRef;
import io.tiltfleet.contract.TableRegistration;
import io.tiltfleet.safety.credentials.TableCredentials;
import io.tiltfleet.safety.rules.CheckIn;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.springframework.stereotype.Component;

/**
 * Every fleet's settings and every table's profile, maintenance, check-in and registry entry as this instance has read
 * them from {@code fleet.config.v1} and {@code table.registry.v1}, each up to one offset: all instances read the same
 * records in the same order, so each holds what the others do.
 */
@Component
public class FleetConfig {

    private final Map<String, FleetSettings> settings = new ConcurrentHashMap<>();
    private final Map<String, SafetyProfile> profiles = new ConcurrentHashMap<>();
    private final Map<String, Maintenance> maintenances = new ConcurrentHashMap<>();
    private final Map<String, CheckIn> checkIns = new ConcurrentHashMap<>();
    private final Map<String, TableRegistration> registrations = new ConcurrentHashMap<>();
    private final Map<String, TableCredentials> credentials = new ConcurrentHashMap<>();
    /** Per log (topic), how far it was read. */
    private final Map<String, ReadPosition> logs = new ConcurrentHashMap<>();

    /** How far one log was read, and the requests waiting for their change to be read back, by the change's offset. */
    private static final class ReadPosition {
        final NavigableMap<Long, CompletableFuture<Void>> waiting = new ConcurrentSkipListMap<>();
        volatile long readUpTo;
    }

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

    /** The table's latest check-in, whether taken up, withdrawn or lapsed; null if it never had one. */
    public CheckIn checkInOf(String fleetId, String tableId) {
        return checkIns.get(ConfigChange.checkInKey(fleetId, tableId));
    }

    /** The table's registry entry; null if it was never registered (a removed one is kept, marked so). */
    public TableRegistration registrationOf(String fleetId, String tableId) {
        return registrations.get(new TableRef(fleetId, tableId).key());
    }

    /** The fleet's registered tables, removed ones left out. */
    public List<TableRegistration> registrations(String fleetId) {
        return registrations.values().stream().filter(entry -> entry.fleetId().equals(fleetId) && entry.removedAt() == null).toList();
    }

    /** Where the table stands, as alerts say it; null when it is not registered. */
    public String locationOf(String fleetId, String tableId) {
        TableRegistration entry = registrationOf(fleetId, tableId);
        return entry == null ? null : entry.location();
    }

    /** Where the table's broker account stands; null if none was ever issued through the API. */
    public TableCredentials credentialsOf(String fleetId, String tableId) {
        return credentials.get(ConfigChange.credentialsKey(fleetId, tableId));
    }

    /** The fleet's tables under maintenance at this time. */
    public List<Maintenance> underMaintenance(String fleetId, Instant now) {
        return maintenances.values().stream().filter(maintenance -> maintenance.fleetId().equals(fleetId) && maintenance.at(now))
                .sorted(Comparator.comparing(Maintenance::tableId)).toList();
    }

    /** What the change replaces: the value before it, null if there was none. */
    Object current(ConfigChange change) {
        return held(change.kind()).get(change.key());
    }

    /** One value the logs hold, under its record's key. */
    public record Held(ConfigChange.Kind kind, String key, Object value) {
    }

    /** Everything the logs hold of one fleet, kind after kind, each by its key: the fleet's configuration as a whole. */
    public List<Held> of(String fleetId) {
        String ofItsTables = fleetId + "/";
        return Arrays.stream(ConfigChange.Kind.values()).flatMap(kind -> held(kind).entrySet().stream()
                        .filter(entry -> entry.getKey().equals(fleetId) || entry.getKey().startsWith(ofItsTables))
                        .map(entry -> new Held(kind, entry.getKey(), entry.getValue()))
                        .sorted(Comparator.comparing(Held::key)))
                .toList();
    }

    private Map<String, ?> held(ConfigChange.Kind kind) {
        return switch (kind) {
            case SETTINGS -> settings;
            case PROFILE -> profiles;
            case MAINTENANCE -> maintenances;
            case CHECK_IN -> checkIns;
            case REGISTRY -> registrations;
            case CREDENTIALS -> credentials;
        };
    }

    void apply(ConfigChange change) {
        switch (change.kind()) {
            case SETTINGS -> settings.put(change.key(), change.settings());
            case PROFILE -> profiles.put(change.key(), change.profile());
            case MAINTENANCE -> maintenances.put(change.key(), change.maintenance());
            case CHECK_IN -> checkIns.put(change.key(), change.checkIn());
            case REGISTRY -> registrations.put(change.key(), change.registration());
            case CREDENTIALS -> credentials.put(change.key(), change.credentials());
        }
    }

    /** Everything of this log before {@code next} has been read and applied. */
    void readUpTo(String topic, long next) {
        ReadPosition log = log(topic);
        log.readUpTo = next;
        NavigableMap<Long, CompletableFuture<Void>> done = log.waiting.headMap(next, false);
        done.values().forEach(applied -> applied.complete(null));
        done.clear();
    }

    long readUpTo(String topic) {
        return log(topic).readUpTo;
    }

    /** Completes once the record at this offset of this log has been read and applied here. */
    CompletableFuture<Void> applied(String topic, long offset) {
        ReadPosition log = log(topic);
        CompletableFuture<Void> applied = log.waiting.computeIfAbsent(offset, o -> new CompletableFuture<>());
        if (offset < log.readUpTo) {
            log.waiting.remove(offset);
            applied.complete(null);
        }
        return applied;
    }

    private ReadPosition log(String topic) {
        return logs.computeIfAbsent(topic, name -> new ReadPosition());
    }
}
