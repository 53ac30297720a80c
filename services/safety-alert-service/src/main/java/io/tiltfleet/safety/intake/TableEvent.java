package io.tiltfleet.safety.intake;

import io.tiltfleet.contract.TableStatus;
import io.tiltfleet.contract.TelemetryReading;
import java.time.Instant;
import org.apache.kafka.common.header.Headers;

/** An event of one table, read from its Kafka record. */
sealed interface TableEvent permits TableEvent.Reading, TableEvent.Status {

    String fleetId();

    String tableId();

    int partition();

    /** The headers of the record it came from: they carry the trace that alerts it causes continue. */
    Headers origin();

    /** @param observedAt when it reached the platform: its record's time */
    record Reading(TelemetryReading reading, int partition, Instant observedAt, Headers origin) implements TableEvent {
        public String fleetId() {
            return reading.fleetId();
        }

        public String tableId() {
            return reading.tableId();
        }
    }

    /** @param observedAt when it reached the platform: its record's time */
    record Status(TableStatus status, int partition, Instant observedAt, Headers origin) implements TableEvent {
        public String fleetId() {
            return status.fleetId();
        }

        public String tableId() {
            return status.tableId();
        }
    }
}
