package io.tiltfleet.analytics.sites;

import io.tiltfleet.contract.TableRef;
import io.tiltfleet.contract.TableRegistration;
import io.tiltfleet.contract.Topics;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The site of every registered table, as the fleets' registry ({@code table.registry.v1}, written by the safety service)
 * says: every instance reads the whole compacted topic from its start, a consumer group of its own, so that each can
 * group usage by site. A record it cannot read is skipped and logged: the registry is not the analytics' to repair.
 */
@Component
public class TableSites {

    private static final Logger log = LoggerFactory.getLogger(TableSites.class);

    private final Map<String, String> sites = new ConcurrentHashMap<>();
    private final JsonMapper json;

    TableSites(JsonMapper json) {
        this.json = json;
    }

    /** The table's site; null when it is not registered, was removed, or has no site. */
    public String siteOf(String fleetId, String tableId) {
        return sites.get(new TableRef(fleetId, tableId).key());
    }

    @KafkaListener(id = "analytics-table-registry", topics = Topics.TABLE_REGISTRY, batch = "true",
            groupId = "analytics-registry-#{T(java.util.UUID).randomUUID()}", properties = {"auto.offset.reset=earliest", "fetch.min.bytes=1"})
    void onBatch(List<ConsumerRecord<String, byte[]>> records) {
        records.forEach(this::apply);
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        try {
            JsonNode registration = record.value() == null ? null : json.readTree(record.value()).get("registration");
            TableRegistration entry = registration == null || registration.isNull() ? null : json.treeToValue(registration, TableRegistration.class);
            if (entry == null || entry.fleetId() == null || entry.tableId() == null) {
                throw new IllegalArgumentException("no table registration in it");
            }
            String key = entry.table().key();
            if (entry.removedAt() != null || entry.site() == null) {
                sites.remove(key);
            } else {
                sites.put(key, entry.site());
            }
        } catch (RuntimeException e) {
            log.atWarn().addKeyValue("offset", record.offset()).log("Skipping a table registry record that cannot be read, {}: {}", record.key(),
                    e.getMessage());
        }
    }
}
