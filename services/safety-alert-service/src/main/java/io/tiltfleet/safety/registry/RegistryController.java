package io.tiltfleet.safety.registry;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.tiltfleet.contract.CallerHeaders;
import io.tiltfleet.contract.Ids;
import io.tiltfleet.contract.TableRef;
import io.tiltfleet.contract.TableRegistration;
import io.tiltfleet.safety.fleetstate.TableLiveState;
import io.tiltfleet.safety.fleetstate.TableStateDocument;
import io.tiltfleet.safety.fleetstate.TableStateStore;
import io.tiltfleet.safety.limits.ConfigChange;
import io.tiltfleet.safety.limits.ConfigRequests;
import io.tiltfleet.safety.limits.FleetConfig;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;

/**
 * A fleet's tables as its operators registered them (name, site, room, model, serial number, notes) and as they
 * report themselves (firmware, model, live state). A registry change goes on {@code table.registry.v1} like any
 * configuration change, is audited, and from then on every alert of the table says where it stands. Reading or removing
 * one entry waits until this instance has read the registry; the list answers from what it has read so far, so that a
 * dashboard shows its tables meanwhile. The rules never wait for the registry.
 */
@RestController
class RegistryController {

    /** Words a person reads in alerts, notifications, exports and the dashboard: no control or invisible formatting characters. */
    private static final String TEXT = "[^\\p{Cc}\\p{Cf}]*";
    private static final String TEXT_MESSAGE = "must hold no control or formatting characters";
    private static final String NOTES = "[^\\x00-\\x08\\x0B-\\x1F\\x7F-\\x9F\\p{Cf}]*";

    private final FleetConfig config;
    private final ConfigRequests requests;
    private final TableStateStore states;
    private final Clock clock;

    RegistryController(FleetConfig config, ConfigRequests requests, TableStateStore states, Clock clock) {
        this.config = config;
        this.requests = requests;
        this.states = states;
        this.clock = clock;
    }

    /**
     * The table's whole entry: a PUT replaces it, and a field left out is cleared.
     *
     * @param name what the staff call the table ("Bed 7"); alerts say it with the site and room
     * @param reason why, for the audit trail
     */
    record RegistrationRequest(@Size(max = 100) @Pattern(regexp = TEXT, message = TEXT_MESSAGE) String name,
                               @Size(max = 100) @Pattern(regexp = TEXT, message = TEXT_MESSAGE) String site,
                               @Size(max = 100) @Pattern(regexp = TEXT, message = TEXT_MESSAGE) String room,
                               @Size(max = 100) @Pattern(regexp = TEXT, message = TEXT_MESSAGE) String model,
                               @Size(max = 100) @Pattern(regexp = TEXT, message = TEXT_MESSAGE) String serialNumber,
                               @Size(max = 2000) @Pattern(regexp = NOTES, message = "must hold no control or formatting characters but line breaks and tabs")
                               String notes, @Size(max = 500) String reason) {

        /** A misspelt field must not be dropped silently: the operator would believe it set. */
        @JsonAnySetter
        void refuseUnknown(String field, Object value) {
            throw new IllegalArgumentException("'" + field + "' is no field of a table's entry: they are name, site, room, model, serialNumber, "
                    + "notes and reason");
        }
    }

    /**
     * @param registration as the operators registered it; null if they did not (or removed it)
     * @param firmware     what the table last reported running; null if it never said
     * @param reportedModel what the table last reported being
     * @param live         what it shows now; null if it never reported
     */
    record TableView(String fleetId, String tableId, TableRegistration registration, String firmware, String reportedModel,
                     TableLiveState live) {
    }

    /** One table of the list: its live state (a table registered but never heard of shows offline) and where it stands. */
    record TableListing(@JsonUnwrapped TableLiveState live, boolean registered, String name, String site, String room, String model) {
    }

    /**
     * The fleet's tables, registered or reporting, by table id. Served from what this instance has read of the registry so
     * far, so that a dashboard still sees its tables while the registry is being read.
     */
    @GetMapping("/api/fleet/{fleetId}/tables")
    Mono<List<TableListing>> tables(@PathVariable @Pattern(regexp = Ids.PATTERN) String fleetId,
                                    @RequestParam(required = false) @Size(max = 100) String site,
                                    @RequestParam(required = false) @Size(max = 100) String room,
                                    @RequestParam(required = false) @Size(max = 100) String model,
                                    @RequestParam(required = false) Boolean registered,
                                    @RequestParam(defaultValue = "0") @Min(0) @Max(100_000) int page,
                                    @RequestParam(defaultValue = "1000") @Min(1) @Max(1000) int size) {
        Map<String, TableRegistration> entries = config.registrations(fleetId).stream()
                .collect(Collectors.toMap(TableRegistration::tableId, Function.identity()));
        return states.states(fleetId).collectMap(TableStateDocument::tableId).map(stored -> {
            Map<String, TableListing> all = new TreeMap<>();
            stored.forEach((tableId, state) -> all.put(tableId, listing(state.liveState(), entries.get(tableId), state.model())));
            entries.forEach((tableId, entry) -> all.putIfAbsent(tableId, listing(neverHeard(fleetId, tableId), entry, null)));
            return all.values().stream()
                    .filter(table -> registered == null || table.registered() == registered)
                    .filter(table -> site == null || site.equalsIgnoreCase(table.site()))
                    .filter(table -> room == null || room.equalsIgnoreCase(table.room()))
                    .filter(table -> model == null || model.equalsIgnoreCase(table.model()))
                    .skip((long) page * size).limit(size).toList();
        });
    }

    @GetMapping("/api/fleet/{fleetId}/tables/{tableId}")
    Mono<TableView> table(@PathVariable @Pattern(regexp = Ids.PATTERN) String fleetId, @PathVariable @Pattern(regexp = Ids.PATTERN) String tableId) {
        return requests.registryRead().then(states.findAll(List.of(new TableRef(fleetId, tableId).key())).next()
                .map(stored -> new TableView(fleetId, tableId, registered(fleetId, tableId), stored.firmware(), stored.model(), stored.liveState()))
                .switchIfEmpty(Mono.fromSupplier(() -> {
                    TableRegistration entry = registered(fleetId, tableId);
                    if (entry == null) {
                        throw notFound(fleetId, tableId);
                    }
                    return new TableView(fleetId, tableId, entry, null, null, null);
                })));
    }

    @PutMapping("/api/fleet/{fleetId}/tables/{tableId}")
    Mono<ResponseEntity<TableRegistration>> register(@PathVariable @Pattern(regexp = Ids.PATTERN) String fleetId,
                                                     @PathVariable @Pattern(regexp = Ids.PATTERN) String tableId,
                                                     @Valid @RequestBody RegistrationRequest request,
                                                     @RequestHeader(name = CallerHeaders.CALLER, required = false) String caller) {
        Instant now = clock.instant();
        TableRegistration entry = new TableRegistration(fleetId, tableId, blankToNull(request.name()), blankToNull(request.site()),
                blankToNull(request.room()), blankToNull(request.model()), blankToNull(request.serialNumber()), blankToNull(request.notes()), now,
                null);
        return requests.submit(ConfigChange.ofRegistration(entry, ConfigRequests.by(caller), request.reason(), now), entry, HttpStatus.OK);
    }

    /** Takes the table out of the registry; its alerts no longer say where it stands. Its data and its own profile stay. */
    @DeleteMapping("/api/fleet/{fleetId}/tables/{tableId}")
    Mono<ResponseEntity<TableRegistration>> remove(@PathVariable @Pattern(regexp = Ids.PATTERN) String fleetId,
                                                   @PathVariable @Pattern(regexp = Ids.PATTERN) String tableId,
                                                   @RequestParam(required = false) @Size(max = 500) String reason,
                                                   @RequestHeader(name = CallerHeaders.CALLER, required = false) String caller) {
        return requests.registryRead().then(Mono.fromSupplier(() -> {
            TableRegistration entry = registered(fleetId, tableId);
            if (entry == null) {
                throw notFound(fleetId, tableId);
            }
            return entry;
        })).flatMap(entry -> {
            Instant now = clock.instant();
            TableRegistration removed = new TableRegistration(fleetId, tableId, entry.name(), entry.site(), entry.room(), entry.model(),
                    entry.serialNumber(), entry.notes(), now, now);
            return requests.submit(ConfigChange.ofRegistration(removed, ConfigRequests.by(caller), reason, now), removed, HttpStatus.OK);
        });
    }

    private TableRegistration registered(String fleetId, String tableId) {
        TableRegistration entry = config.registrationOf(fleetId, tableId);
        return entry == null || entry.removedAt() != null ? null : entry;
    }

    private static TableListing listing(TableLiveState live, TableRegistration entry, String reportedModel) {
        return entry == null ? new TableListing(live, false, null, null, null, reportedModel)
                : new TableListing(live, true, entry.name(), entry.site(), entry.room(), entry.model() != null ? entry.model() : reportedModel);
    }

    private static TableLiveState neverHeard(String fleetId, String tableId) {
        return new TableLiveState(fleetId, tableId, false, null, false, null, null, List.of());
    }

    private static ResponseStatusException notFound(String fleetId, String tableId) {
        return new ResponseStatusException(HttpStatus.NOT_FOUND, "table '" + tableId + "' of fleet '" + fleetId
                + "' is neither registered nor ever reported");
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text.strip();
    }
}
