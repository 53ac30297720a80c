package io.tiltfleet.bench;

import io.tiltfleet.contract.TableRef;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Notes when the n-th record of each probe table reaches a topic: its second reading on the readings
 * topic, its first alert on the alert topic. Splits a probe's latency into the ingest's part, the
 * rules' part and the stream's.
 *
 * <p>A record's time is its timestamp, stamped by the producer that sent it (the ingest, the safety
 * service), not the time this reader gets it: so the reader may fetch as the platform's own consumers
 * do, a batch at a time, and its fetches do not weigh on the broker whose processor the benchmark
 * counts. Fetching every record as it came made hundreds of fetches a second at 3,000 readings/s.
 */
final class ProbeRecords implements AutoCloseable {

    /** The probes' readers, whose processor time is the benchmark's, not the platform's. */
    static final String THREAD_PREFIX = "bench-probe-records-";
    /** Records are keyed by fleet and table ({@code TableRef.key()}). */
    private static final String PROBE_KEY = new TableRef(AlertProbe.FLEET, AlertProbe.TABLE_PREFIX).key();

    private final Map<String, CompletableFuture<Long>> arrivals = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
    private final KafkaConsumer<String, byte[]> consumer;
    private final int nth;
    private volatile boolean open = true;

    /** @param nth which record of a probe table counts as its arrival, from 1 */
    ProbeRecords(String bootstrapServers, String topic, int nth) {
        this.nth = nth;
        this.consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 1 << 20, ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 500),
                new StringDeserializer(), new ByteArrayDeserializer());
        // assigned, not subscribed: no group to join, so no probe is missed while one forms
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        Thread reader = new Thread(this::read, THREAD_PREFIX + topic);
        reader.setDaemon(true);
        reader.start();
    }

    private void read() {
        try {
            while (open) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    if (record.key() != null && record.key().startsWith(PROBE_KEY)) {
                        String tableId = record.key().substring(AlertProbe.FLEET.length() + 1);
                        if (seen.computeIfAbsent(tableId, table -> new AtomicInteger()).incrementAndGet() == nth) {
                            arrival(tableId).complete(stampedAt(record));
                        }
                    }
                }
            }
        } catch (WakeupException closing) {
            // close() woke it up
        } finally {
            consumer.close();
        }
    }

    /** The record's timestamp on the {@link System#nanoTime} scale the probes keep. */
    private static long stampedAt(ConsumerRecord<String, byte[]> record) {
        return System.nanoTime() - Math.max(0, System.currentTimeMillis() - record.timestamp()) * 1_000_000;
    }

    /** When the table's n-th record was sent to Kafka (System.nanoTime), once it is read. */
    CompletableFuture<Long> arrival(String tableId) {
        return arrivals.computeIfAbsent(tableId, table -> new CompletableFuture<>());
    }

    @Override
    public void close() {
        open = false;
        consumer.wakeup();
    }
}
