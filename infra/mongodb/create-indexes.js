// The indexes the services query by, created when the MongoDB volume is first initialised
// (/docker-entrypoint-initdb.d). The services create the same ones at startup, so a database set up
// another way gets them too; a test checks that this file and the services agree.
const tiltfleet = db.getSiblingDB("tiltfleet");

// safety-alert-service: the open alert of a table and type (every rule signal), fleet lists newest first
tiltfleet.alert.createIndex({ fleetId: 1, tableId: 1, type: 1, state: 1 });
tiltfleet.alert.createIndex({ fleetId: 1, raisedAt: -1 });
tiltfleet.alert.createIndex({ fleetId: 1, updatedAt: 1 });   // a resumed event stream replays the alerts changed since
// safety-alert-service: at most one open alert per table and type (openSlot is "open" while open, the alert's id once closed);
// alerts stored before the slot existed get theirs first, as the service itself does at startup
tiltfleet.alert.updateMany({ openSlot: { $exists: false }, state: { $in: ["ACTIVE_UNACKNOWLEDGED", "ACTIVE_ACKNOWLEDGED", "CLEARED_UNACKNOWLEDGED"] } }, { $set: { openSlot: "open" } });
tiltfleet.alert.updateMany({ openSlot: { $exists: false } }, [{ $set: { openSlot: "$_id" } }]);
tiltfleet.alert.createIndex({ fleetId: 1, tableId: 1, type: 1, openSlot: 1 }, { unique: true, name: "one_open_alert_per_table_and_type" });
// safety-alert-service: the live state of a fleet's tables, and the tables of a partition a new owner adopts
tiltfleet.table_state.createIndex({ fleetId: 1 });
tiltfleet.table_state.createIndex({ partition: 1 });
// safety-alert-service: a fleet's audit trail by time
tiltfleet.audit.createIndex({ fleetId: 1, at: 1 });

// analytics-service: sessions by fleet and time, by table, and by the quarter hours they have time in (rollups)
tiltfleet.sessions.createIndex({ fleetId: 1, start: 1 });
tiltfleet.sessions.createIndex({ fleetId: 1, tableId: 1, start: 1 });
tiltfleet.sessions.createIndex({ fleetId: 1, tableId: 1, "hours.hour": 1 });
// analytics-service: a fleet's session traces (its data exported or removed)
tiltfleet.session_traces.createIndex({ fleetId: 1 });
// analytics-service: rollups of a scope, fleet, granularity and time zone over a period; a fleet's rollups by zone
// (removing those of a former zone)
tiltfleet.usage_rollups.createIndex({ scope: 1, fleetId: 1, granularity: 1, zone: 1, periodStart: 1 });
tiltfleet.usage_rollups.createIndex({ fleetId: 1, zone: 1 });
// analytics-service: the alerts a fleet raised over a period (the safety report)
tiltfleet.alert_facts.createIndex({ fleetId: 1, raisedAt: 1 });

// notification-service: due notifications by state and time (the scheduler), an alert's notifications (cancelling
// them), the delivery attempts of a fleet newest first and of an alert (GET /api/notifications), a fleet's planned
// notifications and alert states (its data exported)
tiltfleet.scheduled_notification.createIndex({ status: 1, nextAttemptAt: 1 });
tiltfleet.scheduled_notification.createIndex({ alertId: 1 });
tiltfleet.scheduled_notification.createIndex({ fleetId: 1 });
tiltfleet.notification_delivery.createIndex({ "delivery.fleetId": 1, "delivery.at": -1 });
tiltfleet.notification_delivery.createIndex({ "delivery.alertId": 1 });
tiltfleet.notification_alert_state.createIndex({ fleetId: 1 });
