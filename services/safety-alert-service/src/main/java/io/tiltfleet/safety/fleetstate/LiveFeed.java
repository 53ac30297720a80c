package io.tiltfleet.safety.fleetstate;

import io.tiltfleet.contract.SafetyAlertEvent;
import java.time.Duration;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * The in-process feed behind the dashboards' event streams. Best-effort multicast: a subscriber that
 * cannot keep up loses events from its own buffer and never holds back the others or the rules.
 */
@Component
public class LiveFeed {

    private final Sinks.Many<SafetyAlertEvent> alerts = Sinks.many().multicast().directBestEffort();
    private final Sinks.Many<TableLiveState> tables = Sinks.many().multicast().directBestEffort();

    public void publish(SafetyAlertEvent event) {
        alerts.emitNext(event, Sinks.EmitFailureHandler.busyLooping(Duration.ofMillis(50)));
    }

    public void publish(TableLiveState state) {
        tables.emitNext(state, Sinks.EmitFailureHandler.busyLooping(Duration.ofMillis(50)));
    }

    public Flux<SafetyAlertEvent> alerts() {
        return alerts.asFlux();
    }

    public Flux<TableLiveState> tables() {
        return tables.asFlux();
    }
}
