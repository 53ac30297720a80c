package io.tiltfleet.analytics.fleetdata;

import static org.springframework.data.mongodb.core.query.Criteria.where;
import static org.springframework.data.mongodb.core.query.Query.query;

import io.tiltfleet.analytics.safety.AlertFact;
import io.tiltfleet.analytics.sessions.SessionDocument;
import io.tiltfleet.analytics.sessions.TraceDocument;
import io.tiltfleet.analytics.usage.RollupDocument;
import io.tiltfleet.contract.CallerHeaders;
import io.tiltfleet.contract.Ids;
import io.tiltfleet.retention.FleetData;
import jakarta.validation.constraints.Pattern;
import java.time.Clock;
import java.util.List;
import java.util.function.Function;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Everything the analytics keep of a fleet, exported whole as NDJSON or removed on an operator's request ("delete my
 * data"; the gateway lets operators alone ask): its sessions, traces, rollups, alert facts, the progress of its tables'
 * sessions and its rollup rebuild. The removal is written to the fleets' audit trail first, then what it removed.
 */
@RestController
@RequestMapping("/api/analytics/fleets/{fleetId}/data")
class FleetDataController {

    private final FleetData data;

    FleetDataController(ReactiveMongoTemplate mongo, Clock clock) {
        Function<String, Query> ofFleet = fleetId -> query(where("_id").is(fleetId));
        this.data = new FleetData(mongo, clock, "analytics", List.of(
                FleetData.Part.byField(SessionDocument.COLLECTION, "fleetId"),
                FleetData.Part.byField(TraceDocument.COLLECTION, "fleetId"),
                FleetData.Part.byField(RollupDocument.COLLECTION, "fleetId"),
                FleetData.Part.byField(AlertFact.COLLECTION, "fleetId"),
                // a table's progress is kept under its key, fleet/table
                FleetData.Part.byIdPrefix("table_progress"),
                new FleetData.Part("rollup_rebuilds", ofFleet, ofFleet)));
    }

    @GetMapping
    ResponseEntity<Flux<DataBuffer>> export(@PathVariable @Pattern(regexp = Ids.PATTERN) String fleetId,
                                            @RequestHeader(name = CallerHeaders.CALLER, required = false) String caller) {
        return data.exportFile(fleetId, caller);
    }

    @DeleteMapping
    Mono<FleetData.Removal> remove(@PathVariable @Pattern(regexp = Ids.PATTERN) String fleetId,
                                   @RequestHeader(name = CallerHeaders.CALLER, required = false) String caller) {
        return data.removeFor(fleetId, caller);
    }
}
