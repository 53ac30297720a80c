package io.tiltfleet.safety.limits;

import io.tiltfleet.contract.CallerHeaders;
import io.tiltfleet.contract.Ids;
import io.tiltfleet.safety.SafetyProperties;
import io.tiltfleet.safety.rules.Contraindication;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Future;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;

/**
 * What a fleet's tables are held to, read and changed while the platform runs: the fleet's settings,
 * each table's profile and its maintenance. A change is answered once it is in the fleets' configuration log and applied on
 * this instance (202 when it is in the log but not yet read back, 503 when Kafka did not confirm it); every
 * other instance applies it as it reads it, normally within the second.
 */
@RestController
class LimitsController {

    private static final Duration LONGEST_MAINTENANCE = Duration.ofDays(30);
    /** Above this, inversion is steep: a table's limit beyond it is a clearance that ends. */
    private static final double STEEP_DEG = 60;
    private static final Duration LONGEST_CLEARANCE = Duration.ofDays(365);

    private final FleetConfig config;
    private final ConfigRequests requests;
    private final SafetyProperties properties;
    private final Clock clock;

    LimitsController(FleetConfig config, ConfigRequests requests, SafetyProperties properties, Clock clock) {
        this.config = config;
        this.requests = requests;
        this.properties = properties;
        this.clock = clock;
    }

    /**
     * A whole profile: a PUT replaces the stored one, so the contraindications must always be sent
     * ({@code []} for none) lest a change of the angle limit silently clear them. A limit above 60 degrees
     * (steep inversion) is a clearance for a time: it needs a reason and an end.
     *
     * @param maxAngleDeg   null (or left out) keeps the fleet's limit
     * @param maxAngleUntil when the limit ends and the fleet's holds again: required above 60 degrees, at most a year ahead
     * @param reason        why, for the audit trail: required above 60 degrees
     */
    record ProfileUpdate(@DecimalMin("0") @DecimalMax("90") Double maxAngleDeg,
                         @Future(message = "maxAngleUntil must be in the future") Instant maxAngleUntil,
                         @NotNull(message = "contraindications are required: the table's whole list, [] for none (a PUT replaces the profile)")
                         Set<Contraindication> contraindications, @Size(max = 500) String reason) {

        @AssertTrue(message = "a limit above 60 degrees needs a reason and an end, maxAngleUntil (at most a year ahead)")
        boolean isSteepLimitCleared() {
            return maxAngleDeg == null || maxAngleDeg <= STEEP_DEG || reason != null && !reason.isBlank() && maxAngleUntil != null
                    && maxAngleUntil.isBefore(Instant.now().plus(LONGEST_CLEARANCE));
        }

        @AssertTrue(message = "maxAngleUntil is only for a limit of the profile's own (maxAngleDeg)")
        boolean isUntilOfALimit() {
            return maxAngleUntil == null || maxAngleDeg != null;
        }
    }

    /**
     * @param settings the fleet's whole settings: a PUT replaces them, and a setting left out goes back to the default
     * @param reason   why, for the audit trail
     */
    record SettingsUpdate(@NotNull(message = "settings are required: the fleet's whole settings, {} for the defaults (a PUT replaces them)")
                          @Valid FleetSettings settings, @Size(max = 500) String reason) {
    }

    /**
     * @param until  when the maintenance ends, at most 30 days ahead ({@code DELETE} ends it now)
     * @param reason why the table is under maintenance: its warnings will not go out meanwhile
     */
    record MaintenanceUpdate(@NotNull(message = "until is required: when the maintenance ends (DELETE ends it now)")
                             @Future(message = "until must be in the future (DELETE ends the maintenance now)") Instant until,
                             @NotBlank(message = "a reason is required to put a table under maintenance: its warnings will not go out")
                             @Size(max = 500) String reason) {
    }

    /**
     * @param settings  as the fleet's operators set them; what they left out is null
     * @param effective what the fleet's tables are held to: its settings, the defaults where left out
     */
    record FleetSettingsView(String fleetId, FleetSettings settings, FleetSettings effective) {
    }

    @GetMapping("/api/fleet/{fleetId}/tables/{tableId}/profile")
    Mono<SafetyProfile> profile(@PathVariable @Pattern(regexp = Ids.PATTERN) String fleetId, @PathVariable @Pattern(regexp = Ids.PATTERN) String tableId) {
        return caughtUp().then(Mono.fromSupplier(() -> {
            SafetyProfile profile = config.profileOf(fleetId, tableId);
            return profile != null ? profile : new SafetyProfile(SafetyProfile.idOf(fleetId, tableId), fleetId, tableId, null, null, Set.of(), null);
        }));
    }

    @PutMapping("/api/fleet/{fleetId}/tables/{tableId}/profile")
    Mono<ResponseEntity<SafetyProfile>> updateProfile(@PathVariable @Pattern(regexp = Ids.PATTERN) String fleetId,
                                                      @PathVariable @Pattern(regexp = Ids.PATTERN) String tableId, @Valid @RequestBody ProfileUpdate update,
                                                      @RequestHeader(name = CallerHeaders.CALLER, required = false) String caller) {
        SafetyProfile profile = new SafetyProfile(SafetyProfile.idOf(fleetId, tableId), fleetId, tableId, update.maxAngleDeg(),
                update.maxAngleUntil(), update.contraindications(), clock.instant());
        return submit(ConfigChange.ofProfile(profile, by(caller), update.reason(), clock.instant()), profile);
    }

    /** The fleet's tables under maintenance now. */
    @GetMapping("/api/fleet/{fleetId}/maintenance")
    Mono<List<Maintenance>> maintenance(@PathVariable @Pattern(regexp = Ids.PATTERN) String fleetId) {
        return caughtUp().then(Mono.fromSupplier(() -> config.underMaintenance(fleetId, clock.instant())));
    }

    @PutMapping("/api/fleet/{fleetId}/tables/{tableId}/maintenance")
    Mono<ResponseEntity<Maintenance>> updateMaintenance(@PathVariable @Pattern(regexp = Ids.PATTERN) String fleetId,
                                                        @PathVariable @Pattern(regexp = Ids.PATTERN) String tableId,
                                                        @Valid @RequestBody MaintenanceUpdate update,
                                                        @RequestHeader(name = CallerHeaders.CALLER, required = false) String caller) {
        Instant now = clock.instant();
        if (update.until().isAfter(now.plus(LONGEST_MAINTENANCE))) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "until may be at most 30 days ahead, was " + update.until());
        }
        Maintenance maintenance = new Maintenance(fleetId, tableId, update.until(), now);
        return submit(ConfigChange.ofMaintenance(maintenance, by(caller), update.reason(), now), maintenance);
    }

    /** Ends the table's maintenance now: its warnings go out again. */
    @DeleteMapping("/api/fleet/{fleetId}/tables/{tableId}/maintenance")
    Mono<ResponseEntity<Maintenance>> endMaintenance(@PathVariable @Pattern(regexp = Ids.PATTERN) String fleetId,
                                                     @PathVariable @Pattern(regexp = Ids.PATTERN) String tableId,
                                                     @RequestHeader(name = CallerHeaders.CALLER, required = false) String caller) {
        Instant now = clock.instant();
        Maintenance ended = new Maintenance(fleetId, tableId, null, now);
        return submit(ConfigChange.ofMaintenance(ended, by(caller), null, now), ended);
    }

    @GetMapping("/api/fleets/{fleetId}/settings")
    Mono<FleetSettingsView> settings(@PathVariable @Pattern(regexp = Ids.PATTERN) String fleetId) {
        return caughtUp().then(Mono.fromSupplier(() -> view(fleetId, config.settingsOf(fleetId))));
    }

    @PutMapping("/api/fleets/{fleetId}/settings")
    Mono<ResponseEntity<FleetSettingsView>> updateSettings(@PathVariable @Pattern(regexp = Ids.PATTERN) String fleetId,
                                                           @Valid @RequestBody SettingsUpdate update,
                                                           @RequestHeader(name = CallerHeaders.CALLER, required = false) String caller) {
        return submit(ConfigChange.ofSettings(fleetId, update.settings(), by(caller), update.reason(), clock.instant()),
                view(fleetId, update.settings()));
    }

    private FleetSettingsView view(String fleetId, FleetSettings settings) {
        return new FleetSettingsView(fleetId, settings, settings.effective(properties.defaults()));
    }

    private <T> Mono<ResponseEntity<T>> submit(ConfigChange change, T answer) {
        return requests.submit(change, answer, HttpStatus.OK);
    }

    private Mono<Void> caughtUp() {
        return requests.caughtUp();
    }

    private static String by(String caller) {
        return ConfigRequests.by(caller);
    }
}
