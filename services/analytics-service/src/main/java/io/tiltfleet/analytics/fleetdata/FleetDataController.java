package io.tiltfleet.analytics.fleetdata;

import static org.springframework.data.mongodb.core.query.Criteria.where;
import static org.springframework.data.mongodb.core.query.Query.query;

import io.tiltfleet.analytics.safety.AlertFact;
import io.tiltfleet.analytics.sessions.SessionDocument;
import io.tiltfleet.analytics.sessions.TraceDocument;
import io.tiltfleet.analytics.usage.RollupDocument;
import io.tiltfleet.retention.FleetData;
import io.tiltfleet.retention.FleetDataEndpoints;
import java.time.Clock;
import java.util.List;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Everything the analytics keep of a fleet, exported whole as NDJSON or removed on an operator's request ("delete my
 * data"; the gateway lets operators alone ask): its sessions, traces, rollups, alert facts, the progress of its tables'
 * sessions and its rollup rebuild. The removal is written to the fleets' audit trail first, then what it removed.
 */
@RestController
@RequestMapping("/api/analytics/fleets/{fleetId}/data")
class FleetDataController extends FleetDataEndpoints {

    FleetDataController(ReactiveMongoTemplate mongo, Clock clock) {
        super(new FleetData(mongo, clock, "analytics", List.of(
                FleetData.Part.byField(SessionDocument.COLLECTION, "fleetId"),
                FleetData.Part.byField(TraceDocument.COLLECTION, "fleetId"),
                FleetData.Part.byField(RollupDocument.COLLECTION, "fleetId"),
                FleetData.Part.byField(AlertFact.COLLECTION, "fleetId"),
                // a table's progress is kept under its key, fleet/table
                FleetData.Part.byIdPrefix("table_progress"),
                // a fleet's rebuild is kept under the fleet's id
                new FleetData.Part("rollup_rebuilds", FleetDataController::byId, FleetDataController::byId))));
    }

    private static Query byId(String fleetId) {
        return query(where("_id").is(fleetId));
    }
}
