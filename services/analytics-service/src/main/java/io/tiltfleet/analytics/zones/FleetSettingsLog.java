package io.tiltfleet.analytics.zones;

import io.tiltfleet.contract.Topics;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the fleets' settings from {@code fleet.config.v1} (written by the safety service, which validated them) for
 * their time zones: every instance reads the whole compacted topic from its start, a consumer group of its own. The
 * other kinds of change on it (profiles, check-ins...) are not the analytics' business. A record it cannot read is
 * skipped and logged: the log is not the analytics' to repair.
 */
@Component
class FleetSettingsLog {

    private static final Logger log = LoggerFactory.getLogger(FleetSettingsLog.class);
    private static final String SETTINGS = "SETTINGS";

    private final FleetZones zones;
    private final ApplicationEventPublisher events;
    private final JsonMapper json;

    FleetSettingsLog(FleetZones zones, ApplicationEventPublisher events, JsonMapper json) {
        this.zones = zones;
        this.events = events;
        this.json = json;
    }

    /** A fleet's time zone is no longer the one it had: its rollups are to be cut again. */
    public record FleetZoneChanged(String fleetId) {
    }

    @KafkaListener(id = "analytics-fleet-settings", topics = Topics.FLEET_CONFIG, batch = "true",
            groupId = "analytics-settings-#{T(java.util.UUID).randomUUID()}", properties = {"auto.offset.reset=earliest", "fetch.min.bytes=1"})
    void onBatch(List<ConsumerRecord<String, byte[]>> records) {
        for (ConsumerRecord<String, byte[]> record : records) {
            apply(record);
            zones.readUpTo(record.offset() + 1);
        }
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        try {
            JsonNode change = record.value() == null ? null : json.readTree(record.value());
            if (change == null || !SETTINGS.equals(change.path("kind").asString(null))) {
                return;
            }
            String fleetId = change.path("fleetId").asString(null);
            // the safety service skips such a record too: both must read the same settings from the same log
            if (change.path("id").asString(null) == null || fleetId == null || !change.path("settings").isObject()) {
                throw new IllegalArgumentException("a settings change needs an id, a fleet and its new settings");
            }
            if (!change.path("tableId").isMissingNode() && !change.path("tableId").isNull()) {
                throw new IllegalArgumentException("a fleet's settings name no table");
            }
            String zoneId = change.path("settings").path("timeZone").asString(null);
            // the safety service takes the zones of the IANA database only, never an offset such as +05:30
            if (zoneId != null && !ZoneId.getAvailableZoneIds().contains(zoneId)) {
                throw new IllegalArgumentException("timeZone '" + zoneId + "' is not an IANA time zone");
            }
            ZoneId zone = zoneId == null ? ZoneOffset.UTC : ZoneId.of(zoneId).normalized();
            if (!zones.set(fleetId, zone).equals(zone)) {
                events.publishEvent(new FleetZoneChanged(fleetId));
            }
        } catch (RuntimeException e) {
            log.atWarn().addKeyValue("offset", record.offset()).log("Skipping a fleet settings record that cannot be read, {}: {}", record.key(),
                    e.getMessage());
        }
    }
}
