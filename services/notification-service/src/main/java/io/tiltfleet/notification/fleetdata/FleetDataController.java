package io.tiltfleet.notification.fleetdata;

import static org.springframework.data.mongodb.core.query.Criteria.where;
import static org.springframework.data.mongodb.core.query.Query.query;

import io.tiltfleet.retention.FleetData;
import io.tiltfleet.retention.FleetDataEndpoints;
import java.time.Clock;
import java.util.List;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * What the notification service keeps of a fleet, exported whole as NDJSON or removed on an operator's request ("delete my
 * data", as the safety service's and the analytics' are): its delivery attempts, its planned notifications and its alert
 * states. A removal takes the delivery attempts and the states of the fleet's closed alerts. The planned notifications
 * stay: their ids are the notifications' idempotency keys, so that an alert event delivered again (after a rebalance, or
 * offsets read anew) sends nothing twice; they name alerts, tables and channels, no person. What open alerts still need
 * stays too. Not here: the policy (it holds the channels' secrets; read and replace it through its own API) and used
 * acknowledgement links (they name no fleet, and are purged once their link has expired: {@code UsedLinksPurge}).
 */
@RestController
@RequestMapping("/api/fleets/{fleetId}/notification-data")
class FleetDataController extends FleetDataEndpoints {

    /** An alert the safety service has done with: the state of one is no longer needed to plan what its events ask. */
    private static final String CLOSED = "CLEARED_ACKNOWLEDGED";

    FleetDataController(ReactiveMongoTemplate mongo, Clock clock) {
        super(new FleetData(mongo, clock, "notification", List.of(
                FleetData.Part.byField("notification_delivery", "delivery.fleetId"),
                FleetData.Part.byField("scheduled_notification", "fleetId").kept(),
                FleetData.Part.byField("notification_alert_state", "fleetId")
                        .removing(fleetId -> query(where("fleetId").is(fleetId).and("state").is(CLOSED))))));
    }
}
