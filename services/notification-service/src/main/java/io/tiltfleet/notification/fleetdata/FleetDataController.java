package io.tiltfleet.notification.fleetdata;

import io.tiltfleet.retention.FleetData;
import io.tiltfleet.retention.FleetDataEndpoints;
import java.time.Clock;
import java.util.List;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * What the notification service keeps of a fleet, exported whole as NDJSON or removed on an operator's request ("delete my
 * data", as the safety service's and the analytics' are). A removal takes the delivery attempts, which say who was
 * notified when. The planned notifications and the alerts' states stay: their ids are the notifications' idempotency
 * keys and the states tell an alert event read again (after a rebalance, or offsets read anew) from a new one, so that
 * nothing is sent twice; they name alerts, tables and channels, no person, and a closed alert's state goes once its
 * events have left the alert topic ({@code ClosedAlertsPurge}). Not here: the policy (it holds the channels' secrets; read
 * and replace it through its own API) and used acknowledgement links, which name no fleet and go once their link has
 * expired ({@code UsedLinksPurge}).
 */
@RestController
@RequestMapping("/api/fleets/{fleetId}/notification-data")
class FleetDataController extends FleetDataEndpoints {

    FleetDataController(ReactiveMongoTemplate mongo, Clock clock) {
        super(new FleetData(mongo, clock, "notification", List.of(
                FleetData.Part.byField("notification_delivery", "delivery.fleetId"),
                FleetData.Part.byField("scheduled_notification", "fleetId").kept(),
                FleetData.Part.byField("notification_alert_state", "fleetId").kept())));
    }
}
