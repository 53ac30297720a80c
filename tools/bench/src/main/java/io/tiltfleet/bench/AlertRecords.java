package io.tiltfleet.bench;

import io.tiltfleet.contract.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Notes when each probe table's first alert record reaches {@code safety.alerts.v1}: splits a probe's
 * latency into the rules' part (publish to the alert record) and the stream's (record to dashboard).
 */
final class AlertRecords implements AutoCloseable {

    private static final Pattern PROBE_TABLE = Pattern.compile("\"tableId\":\"(probe-\\d+)\"");

    private final Map<String, CompletableFuture<Long>> arrivals = new ConcurrentHashMap<>();
    private final KafkaConsumer<String, byte[]> consumer;
    private volatile boolean open = true;

    AlertRecords(String bootstrapServers) {
        this.consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, "bench-alert-records", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest"),
                new StringDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(Topics.SAFETY_ALERTS));
        Thread reader = new Thread(this::read, "bench-alert-records");
        reader.setDaemon(true);
        reader.start();
    }

    private void read() {
        try {
            while (open) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    long now = System.nanoTime();
                    Matcher table = PROBE_TABLE.matcher(new String(record.value(), StandardCharsets.UTF_8));
                    if (table.find()) {
                        arrival(table.group(1)).complete(now);
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
