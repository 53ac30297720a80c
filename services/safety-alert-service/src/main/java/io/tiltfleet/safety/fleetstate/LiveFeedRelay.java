package io.tiltfleet.safety.fleetstate;

import io.tiltfleet.contract.SafetyAlertEvent;
import io.tiltfleet.contract.TableRef;
import io.tiltfleet.contract.Topics;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Lets every instance show every table. Each instance decides the live states and alert changes of
 * its own partitions' tables; those go through Kafka, and every instance reads all of them (in a
 * consumer group of its own, from the newest records on) into its live feed. A dashboard stream on
 * any instance therefore sees the whole fleet, however the partitions are spread.
 */
@Component
public class LiveFeedRelay implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(LiveFeedRelay.class);
    /** Kafka's default batch size and linger: live states of many tables go to the broker together. */
    private static final int STATES_BATCH_BYTES = 16_384;
    private static final int STATES_LINGER_MS = 5;

    private final LiveFeed feed;
    private final JsonMapper json;
    /**
     * Live states in batches, on a producer of their own: the alerts' producer sends one record per batch.
     * Without observations: a live state every second per table is not worth a trace each.
     */
    private final KafkaTemplate<String, Object> states;

    LiveFeedRelay(LiveFeed feed, JsonMapper json, ProducerFactory<String, Object> producers) {
        this.feed = feed;
        this.json = json;
        this.states = new KafkaTemplate<>(producers,
                Map.of(ProducerConfig.BATCH_SIZE_CONFIG, STATES_BATCH_BYTES, ProducerConfig.LINGER_MS_CONFIG, STATES_LINGER_MS));
    }

    /** Closes the live states' own producer, which no bean owns. */
    @Override
    public void destroy() {
        states.destroy();
    }

    /** Shares a table's live state with every instance; best effort, it never holds up the rules. */
    public void share(TableLiveState state) {
        states.send(Topics.FLEET_LIVE, new TableRef(state.fleetId(), state.tableId()).key(), state).whenComplete((sent, failure) -> {
            if (failure != null) {
                log.atWarn().addKeyValue("tableId", state.tableId()).log("Live state not shared: {}", failure.getMessage());
            }
        });
    }

    /**
     * A batch at a time: a record at a time, the listener's own overhead took more than the feed's work.
     * Fetched as soon as anything is there, unlike the rules' readings: an alert waits for no batch to fill.
     * So an empty fetch can wait 500 ms at the broker, not the rules' 50 ms: an idle feed asks twice a second.
     */
    @KafkaListener(id = "live-feed", topics = {Topics.FLEET_LIVE, Topics.SAFETY_ALERTS}, batch = "true",
            groupId = "safety-live-#{T(java.util.UUID).randomUUID()}",
            properties = {"auto.offset.reset=latest", "fetch.min.bytes=1", "fetch.max.wait.ms=500"})
    void onBatch(List<ConsumerRecord<String, byte[]>> records) {
        records.forEach(this::relay);
    }

    private void relay(ConsumerRecord<String, byte[]> record) {
        if (!Topics.FLEET_LIVE.equals(record.topic())) {
            SafetyAlertEvent event = read(record.key(), record.value(), SafetyAlertEvent.class);
            if (event != null) {
                feed.publish(event);
            }
            return;
        }
        String fleetId = TableRef.fleetIdOf(record.key());
        if (fleetId != null && !feed.watched(fleetId)) {
            String key = record.key();
            byte[] unread = record.value();
            feed.keep(fleetId, key, () -> read(key, unread, TableLiveState.class));
            return;
        }
        TableLiveState state = read(record.key(), record.value(), TableLiveState.class);
        if (state != null) {
            feed.publish(state);
        }
    }

    /** Null when the record cannot be read: one record the feed cannot show must not make the batch's others shown twice. */
    private <T> T read(String key, byte[] value, Class<T> type) {
        try {
            return json.readValue(value, type);
        } catch (JacksonException | IllegalArgumentException e) {
            log.atWarn().addKeyValue("tableId", key).log("Skipping an unreadable {}: {}", type.getSimpleName(), e.getMessage());
            return null;
        }
    }
}
