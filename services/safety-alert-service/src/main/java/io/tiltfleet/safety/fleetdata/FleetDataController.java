package io.tiltfleet.safety.fleetdata;

import static org.springframework.data.mongodb.core.query.Criteria.where;
import static org.springframework.data.mongodb.core.query.Query.query;

import io.tiltfleet.contract.Topics;
import io.tiltfleet.retention.FleetData;
import io.tiltfleet.retention.FleetDataEndpoints;
import io.tiltfleet.safety.alerts.AlertState;
import io.tiltfleet.safety.limits.FleetConfig;
import io.tiltfleet.safety.limits.FleetConfigLog;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Flux;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Everything the safety service keeps of a fleet in MongoDB, exported whole as NDJSON or removed on an operator's
 * request ("delete my data"; the gateway lets operators alone ask): its closed alerts and its tables' former profiles.
 * Its open alerts, its tables' live states (the rules' memory: a check-in taken up, a condition still active) and its
 * audit trail are exported but kept, with each export and removal written to the trail. The fleet's configuration
 * (settings, profiles, maintenance, check-ins, credentials' standing, registry) lives in Kafka's compacted logs: it is
 * exported first, as this instance holds it, and not removed: the rules run on it while the fleet's tables do.
 */
@RestController
@RequestMapping("/api/fleets/{fleetId}/data")
class FleetDataController extends FleetDataEndpoints {

    /** The fleet's settings, profiles, maintenance, check-ins, credentials' standing and registry entries, as the logs hold them now. */
    private static final String CONFIGURATION = Topics.FLEET_CONFIG + "+" + Topics.TABLE_REGISTRY;
    private static final TypeReference<Map<String, Object>> FIELDS = new TypeReference<>() { };

    FleetDataController(ReactiveMongoTemplate mongo, Clock clock, FleetConfig config, FleetConfigLog configLog, JsonMapper json) {
        super(new FleetData(mongo, clock, "safety", List.of(
                // an alert still open stays: the rules still follow it, and its clearing or acknowledgement must find it
                FleetData.Part.byField("alert", "fleetId")
                        .removing(fleetId -> query(where("fleetId").is(fleetId).and("state").is(AlertState.CLEARED_ACKNOWLEDGED))),
                // the rules' memory of each table (a check-in taken up, an alert's condition still active): kept, as open alerts are
                FleetData.Part.byField("table_state", "fleetId").kept(),
                FleetData.Part.byField("safety_profiles", "fleetId"),
                FleetData.Part.byField("audit", "fleetId").kept()))
                // read to the logs' current ends first: an instance just started, or one behind another's change, must not export a part
                .alsoExporting(CONFIGURATION, fleetId -> configLog.whenAllRead()
                        .thenMany(Flux.defer(() -> Flux.fromIterable(config.of(fleetId))))
                        .map(held -> new Document("kind", held.kind().name()).append("key", held.key())
                                .append("value", new Document(json.convertValue(held.value(), FIELDS))))
                        .onErrorMap(IllegalStateException.class, unread -> new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE,
                                "the fleet's configuration cannot be exported now, try again: " + unread.getMessage(), unread))));
    }
}
