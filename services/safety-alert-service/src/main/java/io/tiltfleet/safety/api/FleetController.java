package io.tiltfleet.safety.api;

import io.tiltfleet.contract.Ids;
import io.tiltfleet.safety.SafetyProperties;
import io.tiltfleet.safety.fleetstate.LiveFeed;
import io.tiltfleet.safety.fleetstate.TableLiveState;
import io.tiltfleet.safety.fleetstate.TableStateStore;
import io.tiltfleet.safety.intake.RuleEngine;
import io.tiltfleet.safety.profiles.ProfileStore;
import io.tiltfleet.safety.profiles.SafetyProfile;
import io.tiltfleet.safety.rules.Contraindication;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Clock;
import java.util.Set;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.BufferOverflowStrategy;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** A fleet's live state, its event stream for dashboards, and the tables' safety profiles. */
@RestController
@RequestMapping("/api/fleet/{fleetId}")
class FleetController {


    private final RuleEngine rules;
    private final TableStateStore states;
    private final LiveFeed feed;
    private final ProfileStore profiles;
    private final SafetyProperties properties;
    private final Clock clock;

    FleetController(RuleEngine rules, TableStateStore states, LiveFeed feed, ProfileStore profiles, SafetyProperties properties, Clock clock) {
        this.rules = rules;
        this.states = states;
        this.feed = feed;
        this.profiles = profiles;
        this.properties = properties;
        this.clock = clock;
    }

    /**
     * A whole profile: a PUT replaces the stored one, so the contraindications must always be sent
     * ({@code []} for none) lest a change of the angle limit silently clear them.
     *
     * @param maxAngleDeg null (or left out) keeps the fleet's limit
     */
    record ProfileUpdate(@DecimalMin("0") @DecimalMax("90") Double maxAngleDeg,
                         @NotNull(message = "contraindications are required: the table's whole list, [] for none (a PUT replaces the profile)")
                         Set<Contraindication> contraindications) {
    }

    @GetMapping("/tables")
    Flux<TableLiveState> tables(@PathVariable @Pattern(regexp = Ids.PATTERN) String fleetId) {
        return states.fleet(fleetId);
    }

    /**
     * Alert changes ("alert") and table states ("table") of one fleet as they happen, with heartbeat
     * comments; it begins with the latest state of each table, so that a dashboard that just loaded
     * the stored states is up to date at once.
     */
    @GetMapping(path = "/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    Flux<ServerSentEvent<Object>> stream(@PathVariable @Pattern(regexp = Ids.PATTERN) String fleetId) {
        Flux<ServerSentEvent<Object>> alerts = feed.alerts().filter(event -> event.fleetId().equals(fleetId))
                .map(event -> ServerSentEvent.<Object>builder(event).event("alert").id(event.alertId()).build());
        Flux<ServerSentEvent<Object>> tables = Flux.concat(feed.current(fleetId), feed.tables().filter(state -> fleetId.equals(state.fleetId())))
                .map(state -> ServerSentEvent.<Object>builder(state).event("table").build());
        Flux<ServerSentEvent<Object>> heartbeats = Flux.interval(properties.heartbeat())
                .map(n -> ServerSentEvent.<Object>builder().comment("heartbeat").build());
        return Flux.merge(alerts, tables)
                .onBackpressureBuffer(properties.streamBuffer(), dropped -> { }, BufferOverflowStrategy.DROP_OLDEST)
                .mergeWith(heartbeats);
    }

    @GetMapping("/tables/{tableId}/profile")
    Mono<SafetyProfile> profile(@PathVariable @Pattern(regexp = Ids.PATTERN) String fleetId, @PathVariable @Pattern(regexp = Ids.PATTERN) String tableId) {
        return profiles.find(fleetId, tableId)
                .defaultIfEmpty(new SafetyProfile(SafetyProfile.idOf(fleetId, tableId), fleetId, tableId, null, Set.of(), null));
    }

    @PutMapping("/tables/{tableId}/profile")
    Mono<SafetyProfile> updateProfile(@PathVariable @Pattern(regexp = Ids.PATTERN) String fleetId, @PathVariable @Pattern(regexp = Ids.PATTERN) String tableId,
                                      @Valid @RequestBody ProfileUpdate update) {
        SafetyProfile profile = new SafetyProfile(SafetyProfile.idOf(fleetId, tableId), fleetId, tableId, update.maxAngleDeg(),
                update.contraindications(), clock.instant());
        return profiles.save(profile).doOnNext(rules::apply);
    }
}
