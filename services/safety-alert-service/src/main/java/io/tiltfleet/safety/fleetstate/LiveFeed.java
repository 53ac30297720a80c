package io.tiltfleet.safety.fleetstate;

import io.tiltfleet.contract.SafetyAlertEvent;
import io.tiltfleet.contract.TableRef;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * The in-process feed behind the dashboards' event streams. Best-effort multicast, so that no subscriber
 * ever holds back the others or the rules: each stream takes everything at once into lanes of its own
 * ({@link FleetStreams}), which decide what a slow client gets. The latest state shown of each table is
 * kept, so that a stream can begin with the fleet as it is now.
 */
@Component
public class LiveFeed {

    private final Sinks.Many<SafetyAlertEvent> alerts = Sinks.many().multicast().directBestEffort();
    private final Sinks.Many<TableLiveState> tables = Sinks.many().multicast().directBestEffort();
    private final Map<String, TableLiveState> latest = new ConcurrentHashMap<>();

    public void publish(SafetyAlertEvent event) {
        alerts.emitNext(event, Sinks.EmitFailureHandler.busyLooping(Duration.ofMillis(50)));
    }

    public void publish(TableLiveState state) {
        latest.put(new TableRef(state.fleetId(), state.tableId()).key(), state);
        tables.emitNext(state, Sinks.EmitFailureHandler.busyLooping(Duration.ofMillis(50)));
    }

    /** The latest state shown of each table of the fleet that this instance has seen. */
    public Flux<TableLiveState> current(String fleetId) {
        return Flux.fromStream(() -> latest.values().stream().filter(state -> state.fleetId().equals(fleetId)));
    }

    public Flux<SafetyAlertEvent> alerts() {
        return alerts.asFlux();
    }

    public Flux<TableLiveState> tables() {
        return tables.asFlux();
    }
}
