package io.tiltfleet.safety.fleetstate;

import io.tiltfleet.contract.SafetyAlertEvent;
import io.tiltfleet.contract.TableRef;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * The in-process feed behind the dashboards' event streams. Best-effort multicast, so that no subscriber
 * ever holds back the others or the rules: each stream takes everything at once into lanes of its own
 * ({@link FleetStreams}), which decide what a slow client gets. The latest state shown of each table is
 * kept, so that a stream can begin with the fleet as it is now; the states of a fleet that no stream of
 * this instance watches are kept unread until one does ({@link #keep}).
 */
@Component
public class LiveFeed {

    /**
     * A table's latest state, read only when a stream of its fleet wants it: null when it cannot be read.
     * Its fleet is the record key's; a stream still shows it only if the state itself names that fleet.
     */
    private record Latest(String fleetId, Supplier<TableLiveState> state) {
    }

    /** How long an emitter waits for another thread emitting on the same sink at that moment. */
    private static final Duration CONCURRENT_EMITTER_WAIT = Duration.ofMillis(50);

    private final Sinks.Many<SafetyAlertEvent> alerts = Sinks.many().multicast().directBestEffort();
    private final Sinks.Many<TableLiveState> tables = Sinks.many().multicast().directBestEffort();
    private final Map<String, Latest> latest = new ConcurrentHashMap<>();
    /** Per fleet, the streams of this instance that show its tables. */
    private final Map<String, Integer> watching = new ConcurrentHashMap<>();

    public void publish(SafetyAlertEvent event) {
        offer(alerts, event);
    }

    public void publish(TableLiveState state) {
        latest.put(new TableRef(state.fleetId(), state.tableId()).key(), new Latest(state.fleetId(), () -> state));
        offer(tables, state);
    }

    /**
     * Best effort, and never the feed's end: a stream with no room at that moment misses the item. With
     * {@code emitNext}, an item that no stream had room for ended the sink with an overflow error, and with
     * it every stream of every fleet on this instance until a restart (the pipeline benchmark at 10,000
     * readings/s, 2026-12-04: after its one stream was cut, every new one failed at once). An alert lane
     * takes all it is offered and decides itself what a slow client gets; a table lane misses a state, and
     * the table's next one, at most a live-state period later, stands in for it.
     */
    private static <T> void offer(Sinks.Many<T> sink, T item) {
        long giveUpAt = System.nanoTime() + CONCURRENT_EMITTER_WAIT.toNanos();
        while (sink.tryEmitNext(item) == Sinks.EmitResult.FAIL_NON_SERIALIZED && System.nanoTime() < giveUpAt) {
            Thread.onSpinWait();
        }
    }

    /**
     * A state of a table whose fleet no stream here watches ({@link #watched}): kept as its table's latest,
     * and read only if a stream of the fleet begins before a newer one comes. Reading every state of
     * every fleet cost a tenth of the service's processor at 5,000 readings/s (flight recording).
     */
    public void keep(String fleetId, String tableKey, Supplier<TableLiveState> state) {
        latest.put(tableKey, new Latest(fleetId, state));
        // a stream of the fleet that began meanwhile may have read the latest states before this one came
        if (watched(fleetId)) {
            TableLiveState read = state.get();
            if (read != null) {
                publish(read);
            }
        }
    }

    /** Whether a stream of this instance shows the fleet's tables: their states are then published as they come. */
    public boolean watched(String fleetId) {
        return watching.containsKey(fleetId);
    }

    /**
     * The fleet's tables: the latest state of each that this instance has seen, and each new state. New
     * states are taken from before the latest are read, so that none comes between the two unseen.
     */
    public Flux<TableLiveState> tables(String fleetId) {
        return Flux.defer(() -> {
            watching.merge(fleetId, 1, Integer::sum);
            return Flux.merge(tables.asFlux().filter(state -> fleetId.equals(state.fleetId())), current(fleetId));
        }).doFinally(signal -> watching.computeIfPresent(fleetId, (fleet, streams) -> streams == 1 ? null : streams - 1));
    }

    private Flux<TableLiveState> current(String fleetId) {
        return Flux.fromStream(() -> latest.values().stream().filter(table -> table.fleetId().equals(fleetId))
                .map(table -> table.state().get()).filter(state -> state != null && state.fleetId().equals(fleetId)));
    }

    public Flux<SafetyAlertEvent> alerts() {
        return alerts.asFlux();
    }
}
