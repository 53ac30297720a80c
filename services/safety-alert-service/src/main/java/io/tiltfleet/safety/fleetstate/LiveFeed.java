package io.tiltfleet.safety.fleetstate;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tiltfleet.contract.SafetyAlertEvent;
import io.tiltfleet.contract.TableRef;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * The in-process feed behind the dashboards' event streams. Best-effort multicast, so that no subscriber
 * ever holds back the others or the rules: each stream takes everything at once into lanes of its own,
 * which decide what a slow client gets (alerts in {@link FleetStreams}, tables conflated per table here,
 * {@link #tables}). The latest state shown of each table is kept, so that a stream can begin with the
 * fleet as it is now; the states of a fleet that no stream of this instance watches are kept unread
 * until one does ({@link #keep}).
 */
@Component
public class LiveFeed {

    /**
     * A table's latest state, read only when a stream of its fleet wants it: null when it cannot be read.
     * Its fleet is the record key's; a stream still shows it only if the state itself names that fleet.
     */
    private record Latest(String fleetId, long arrival, Supplier<TableLiveState> state) {
    }

    /**
     * A table's state and when this feed learnt of it, counted: a stream that reads a table's latest
     * state while a newer one is published may get the two the other way round, and keeps the newer.
     */
    record Arrived(long arrival, TableLiveState state) {
    }

    /** How long an emitter waits for another thread emitting on the same sink at that moment. */
    private static final Duration CONCURRENT_EMITTER_WAIT = Duration.ofMillis(50);

    public static final String MISSED = "tiltfleet.safety.stream.missed";

    private final Sinks.Many<SafetyAlertEvent> alerts = Sinks.many().multicast().directBestEffort();
    private final Sinks.Many<Arrived> tables = Sinks.many().multicast().directBestEffort();
    /** Counted on the relay's one thread, so a table's arrivals rise in the order its states reach the sink. */
    private final AtomicLong arrivals = new AtomicLong();
    private final Map<String, Latest> latest = new ConcurrentHashMap<>();
    /** Per fleet, the streams of this instance that show its tables. */
    private final Map<String, Integer> watching = new ConcurrentHashMap<>();
    private final Counter alertsMissed;
    private final Counter tablesMissed;

    public LiveFeed(MeterRegistry registry) {
        this.alertsMissed = missed(registry, "alert");
        this.tablesMissed = missed(registry, "table");
    }

    private static Counter missed(MeterRegistry registry, String lane) {
        return Counter.builder(MISSED).tag("lane", lane)
                .description("Items of the live feed that no stream had room for, or that waited too long for another emitter")
                .register(registry);
    }

    public void publish(SafetyAlertEvent event) {
        offer(alerts, event, alertsMissed);
    }

    public void publish(TableLiveState state) {
        publish(state, arrivals.incrementAndGet());
    }

    private void publish(TableLiveState state, long arrival) {
        latest.put(new TableRef(state.fleetId(), state.tableId()).key(), new Latest(state.fleetId(), arrival, () -> state));
        offer(tables, new Arrived(arrival, state), tablesMissed);
    }

    /**
     * Best effort, and never the feed's end: a stream with no room at that moment misses the item. With
     * {@code emitNext}, an item that no stream had room for ended the sink with an overflow error, and with
     * it every stream of every fleet on this instance until a restart (the pipeline benchmark at 10,000
     * readings/s, 2026-12-04: after its one stream was cut, every new one failed at once). Every lane
     * takes all it is offered and decides itself what a slow client gets (alerts up to a buffer, tables
     * conflated), so an item no stream has room for is not expected: it is counted ({@link #MISSED}), as
     * is an item that waited too long for another thread emitting.
     */
    private static <T> void offer(Sinks.Many<T> sink, T item, Counter missed) {
        long giveUpAt = System.nanoTime() + CONCURRENT_EMITTER_WAIT.toNanos();
        Sinks.EmitResult result;
        while ((result = sink.tryEmitNext(item)) == Sinks.EmitResult.FAIL_NON_SERIALIZED && System.nanoTime() < giveUpAt) {
            Thread.onSpinWait();
        }
        if (result.isFailure() && result != Sinks.EmitResult.FAIL_ZERO_SUBSCRIBER) {
            missed.increment();
        }
    }

    /**
     * A state of a table whose fleet no stream here watches ({@link #watched}): kept as its table's latest,
     * and read only if a stream of the fleet begins before a newer one comes. Reading every state of
     * every fleet cost a tenth of the service's processor at 5,000 readings/s (flight recording).
     */
    public void keep(String fleetId, String tableKey, Supplier<TableLiveState> state) {
        long arrival = arrivals.incrementAndGet();
        latest.put(tableKey, new Latest(fleetId, arrival, state));
        // a stream of the fleet that began meanwhile may have read the latest states before this one came
        if (watched(fleetId)) {
            TableLiveState read = state.get();
            if (read != null) {
                publish(read, arrival);
            }
        }
    }

    /** Whether a stream of this instance shows the fleet's tables: their states are then published as they come. */
    public boolean watched(String fleetId) {
        return watching.containsKey(fleetId);
    }

    /**
     * The fleet's tables: the latest state of each that this instance has seen, and each new state,
     * conflated per table for a subscriber that reads more slowly than they come. New states are taken
     * from before the latest are read, so that none comes between the two unseen.
     */
    public Flux<TableLiveState> tables(String fleetId) {
        return LatestPerTable.of(Flux.defer(() -> {
            watching.merge(fleetId, 1, Integer::sum);
            // unbounded, conflated right after: while the latest states are read, new ones wait rather than miss the feed
            return Flux.merge(Integer.MAX_VALUE, tables.asFlux().filter(arrived -> fleetId.equals(arrived.state().fleetId())), current(fleetId));
        }).doFinally(signal -> watching.computeIfPresent(fleetId, (fleet, streams) -> streams == 1 ? null : streams - 1)));
    }

    private Flux<Arrived> current(String fleetId) {
        return Flux.fromStream(() -> latest.values().stream().filter(table -> table.fleetId().equals(fleetId))
                .map(table -> new Arrived(table.arrival(), table.state().get()))
                .filter(arrived -> arrived.state() != null && arrived.state().fleetId().equals(fleetId)));
    }

    public Flux<SafetyAlertEvent> alerts() {
        return alerts.asFlux();
    }
}
