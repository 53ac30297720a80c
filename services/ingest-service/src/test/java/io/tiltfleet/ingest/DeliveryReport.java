package io.tiltfleet.ingest;

import io.tiltfleet.contract.TelemetryReading;
import io.tiltfleet.contract.Topics;
import io.tiltfleet.embedded.FaultReport;
import io.tiltfleet.embedded.ReadingStream;
import io.tiltfleet.embedded.TopicReader;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import tools.jackson.databind.json.JsonMapper;

/** What a fault test owes: of the readings the broker acknowledged to tables, how many Kafka holds, twice, or not at all. */
final class DeliveryReport {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Reads the fleet's readings from Kafka until all acknowledged ones are there or the timeout passes. */
    private DeliveryReport() {
    }

    static FaultReport collect(String scenario, String bootstrapServers, String fleetId, ReadingStream stream, Duration timeout) {
        Set<String> acknowledged = stream.acknowledged();
        List<ConsumerRecord<String, String>> records = TopicReader.read(bootstrapServers, Topics.TELEMETRY_READINGS,
                record -> record.value().contains("\"fleetId\":\"" + fleetId + "\""),
                read -> ids(read).containsAll(acknowledged), timeout);
        List<String> storedIds = records.stream().map(DeliveryReport::idOf).toList();
        Set<String> distinct = new HashSet<>(storedIds);
        Set<String> missing = new HashSet<>(acknowledged);
        missing.removeAll(distinct);
        return new FaultReport(scenario, "readings", stream.published(), acknowledged.size(), storedIds.size(),
                storedIds.size() - distinct.size(), missing.size()).print();
    }

    private static Set<String> ids(List<ConsumerRecord<String, String>> records) {
        return records.stream().map(DeliveryReport::idOf).collect(Collectors.toSet());
    }

    private static String idOf(ConsumerRecord<String, String> record) {
        TelemetryReading reading = JSON.readValue(record.value(), TelemetryReading.class);
        return ReadingStream.idOf(reading.tableId(), reading.seq());
    }
}
