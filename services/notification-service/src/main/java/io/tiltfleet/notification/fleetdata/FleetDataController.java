package io.tiltfleet.notification.fleetdata;

import static org.springframework.data.mongodb.core.query.Criteria.where;
import static org.springframework.data.mongodb.core.query.Query.query;

import io.tiltfleet.contract.CallerHeaders;
import io.tiltfleet.contract.Ids;
import io.tiltfleet.retention.FleetData;
import jakarta.validation.constraints.Pattern;
import java.time.Clock;
import java.util.List;
import org.bson.Document;
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
 * What the notification service keeps of a fleet, exported whole as NDJSON or removed on an operator's request ("delete my
 * data", as the safety service's and the analytics' are): the delivery attempts, and what it planned and knew of the
 * fleet's closed alerts (its alert states, planned notifications and used acknowledgement links). What it keeps of
 * alerts still open stays: a later tier or reminder must still go out, and a link must still be usable once only. The
 * policy is neither exported here nor removed: it holds the channels' secrets; it is read and replaced through its own API.
 */
@RestController
@RequestMapping("/api/fleets/{fleetId}/notification-data")
class FleetDataController {

    private static final String ALERT_STATES = "notification_alert_state";
    /** An alert the safety service has done with: no event about it plans anything again. */
    private static final String CLOSED = "CLEARED_ACKNOWLEDGED";

    private final ReactiveMongoTemplate mongo;
    private final Clock clock;

    FleetDataController(ReactiveMongoTemplate mongo, Clock clock) {
        this.mongo = mongo;
        this.clock = clock;
    }

    @GetMapping
    Mono<ResponseEntity<Flux<DataBuffer>>> export(@PathVariable @Pattern(regexp = Ids.PATTERN) String fleetId,
                                                  @RequestHeader(name = CallerHeaders.CALLER, required = false) String caller) {
        return alertIds(query(where("fleetId").is(fleetId))).map(alerts -> of(alerts, alerts).exportFile(fleetId, caller));
    }

    /** The closed alerts are read first: their planned notifications and links go before their states, which name them. */
    @DeleteMapping
    Mono<FleetData.Removal> remove(@PathVariable @Pattern(regexp = Ids.PATTERN) String fleetId,
                                   @RequestHeader(name = CallerHeaders.CALLER, required = false) String caller) {
        return alertIds(query(where("fleetId").is(fleetId).and("state").is(CLOSED))).flatMap(closed -> of(List.of(), closed).removeFor(fleetId, caller));
    }

    private Mono<List<String>> alertIds(Query which) {
        which.fields().include("_id");
        return mongo.find(which, Document.class, ALERT_STATES).map(state -> state.getString("_id")).collectList();
    }

    /**
     * @param alerts the fleet's alerts whose used links are exported (the links name their alert, not its fleet)
     * @param closed its closed alerts, whose planned notifications, links and states a removal takes
     */
    private FleetData of(List<String> alerts, List<String> closed) {
        return new FleetData(mongo, clock, "notification", List.of(
                FleetData.Part.byField("notification_delivery", "delivery.fleetId"),
                FleetData.Part.byField("scheduled_notification", "fleetId")
                        .removing(fleetId -> query(where("fleetId").is(fleetId).and("alertId").in(closed))),
                new FleetData.Part("used_ack_token", fleetId -> query(where("alertId").in(alerts)), fleetId -> query(where("alertId").in(closed))),
                FleetData.Part.byField(ALERT_STATES, "fleetId").removing(fleetId -> query(where("fleetId").is(fleetId).and("_id").in(closed)))));
    }
}
