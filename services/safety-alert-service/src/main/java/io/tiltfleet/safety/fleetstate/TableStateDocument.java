package io.tiltfleet.safety.fleetstate;

import io.tiltfleet.contract.TableRef;
import io.tiltfleet.contract.TelemetryReading;
import io.tiltfleet.safety.rules.AlertType;
import io.tiltfleet.safety.rules.CheckIn;
import io.tiltfleet.safety.rules.TableMonitor;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * A table's rule memory and connection state, stored after each batch: the basis of restarts and of the
 * fleet view. The partition its readings come from lets a new owner of that partition load it at once.
 */
@Document("table_state")
public record TableStateDocument(@Id String id, String fleetId, String tableId, boolean online, TelemetryReading last,
                                 Instant lastObservedAt, Instant aboveLimitSince, long steepMillis,
                                 Map<AlertType, TableMonitor.Condition> active, Instant lastStatusAt, Integer partition,
                                 CheckIn checkIn, String checkInSession, Instant abovePrescriptionSince, String priorSession,
                                 String priorSessionCheckIn, String firmware, String model) {

    /**
     * @param firmware what the table last reported running in its status; null if it never said
     * @param model    what it last reported being
     */
    public static TableStateDocument of(String fleetId, String tableId, boolean online, TableMonitor.Memory memory, int partition,
                                        String firmware, String model) {
        return new TableStateDocument(new TableRef(fleetId, tableId).key(), fleetId, tableId, online, memory.last(), memory.lastObservedAt(),
                memory.aboveLimitSince(), memory.steepTime().toMillis(), memory.active(), memory.lastStatusAt(), partition,
                memory.checkIn(), memory.checkInSession(), memory.abovePrescriptionSince(), memory.priorSession(), memory.priorSessionCheckIn(),
                firmware, model);
    }

    public TableMonitor.Memory memory() {
        return new TableMonitor.Memory(last, lastObservedAt, aboveLimitSince, Duration.ofMillis(steepMillis), active == null ? Map.of() : active,
                lastStatusAt, checkIn, checkInSession, abovePrescriptionSince, priorSession, priorSessionCheckIn);
    }

    /** What a dashboard shows of the table. */
    public TableLiveState liveState() {
        boolean inSession = last != null && last.sessionId() != null && last.angleDeg() > 0;
        return new TableLiveState(fleetId, tableId, online, last == null ? null : last.angleDeg(), inSession,
                inSession ? last.elapsedS() : null, lastObservedAt,
                active == null ? List.of() : active.keySet().stream().map(Enum::name).sorted().toList());
    }
}
