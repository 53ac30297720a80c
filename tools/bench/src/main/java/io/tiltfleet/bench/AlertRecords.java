package io.tiltfleet.bench;

import io.tiltfleet.contract.TableRef;
import io.tiltfleet.contract.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Notes when each probe table's first alert record reaches {@code safety.alerts.v1}: splits a probe's
 * latency into the rules' part (publish to the alert record) and the stream's (record to dashboard).
 */
final class AlertRecords implements AutoCloseable {

    /** Alert records are keyed by fleet and table ({@code TableRef.key()}). */
    private static final String PROBE_KEY = new TableRef(AlertProbe.FLEET, AlertProbe.TABLE_PREFIX).key();

    private final Map<String, CompletableFuture<Long>> arrivals = new ConcurrentHashMap<>();
    private final KafkaConsumer<String, byte[]> consumer;
    private volatile boolean open = true;

    AlertRecords(String bootstrapServers) {
        this.consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers),
                new StringDeserializer(), new ByteArrayDeserializer());
        // assigned, not subscribed: no group to join, so no probe is missed while one forms
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.SAFETY_ALERTS, Duration.ofSeconds(30)).stream()
                .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        Thread reader = new Thread(this::read, "bench-alert-records");
        reader.setDaemon(true);
        reader.start();
    }

    private void read() {
        try {
            while (open) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    if (record.key() != null && record.key().startsWith(PROBE_KEY)) {
                        arrival(record.key().substring(AlertProbe.FLEET.length() + 1)).complete(System.nanoTime());
                    }
                }
            }
        } catch (WakeupException closing) {
            // close() woke it up
        } finally {
            consumer.close();
        }
    }

    /** When the table's first alert record was read (System.nanoTime), once it is. */
    CompletableFuture<Long> arrival(String tableId) {
        return arrivals.computeIfAbsent(tableId, table -> new CompletableFuture<>());
    }

    @Override
    public void close() {
        open = false;
        consumer.wakeup();
    }
}
