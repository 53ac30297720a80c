package io.tiltfleet.safety.api;

import io.tiltfleet.contract.Ids;
import io.tiltfleet.safety.fleetstate.FleetStreams;
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
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebInputException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** A fleet's live state, its event stream for dashboards, and the tables' safety profiles. */
@RestController
@RequestMapping("/api/fleet/{fleetId}")
class FleetController {


    private final RuleEngine rules;
    private final TableStateStore states;
    private final FleetStreams streams;
    private final ProfileStore profiles;
    private final Clock clock;

    FleetController(RuleEngine rules, TableStateStore states, FleetStreams streams, ProfileStore profiles, Clock clock) {
        this.rules = rules;
        this.states = states;
        this.streams = streams;
        this.profiles = profiles;
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

    /** Alert changes and table states of one fleet as they happen ({@link FleetStreams}); resumable with Last-Event-ID. */
    @GetMapping(path = "/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    Flux<ServerSentEvent<Object>> stream(@PathVariable @Pattern(regexp = Ids.PATTERN) String fleetId,
                                         @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId) {
        return streams.open(fleetId, Optional.ofNullable(lastEventId).map(FleetController::resumePoint));
    }

    private static Instant resumePoint(String lastEventId) {
        try {
            return FleetStreams.timeOf(lastEventId);
        } catch (IllegalArgumentException malformed) {
            throw new ServerWebInputException(malformed.getMessage());
        }
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
