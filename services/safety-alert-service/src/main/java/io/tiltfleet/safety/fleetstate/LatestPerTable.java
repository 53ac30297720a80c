package io.tiltfleet.safety.fleetstate;

import io.tiltfleet.contract.TableRef;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

/**
 * Table states conflated per table: a client that reads more slowly than states come gets the newest
 * state of each table, in the order the tables first waited, never a backlog of old ones. What waits is
 * at most one state per table, however slow the client. A state that arrived at the feed before one
 * already taken is left out, and so is the same state twice.
 */
final class LatestPerTable {

    private final Map<String, TableLiveState> waiting = new ConcurrentHashMap<>();
    /** Per table, the latest arrival taken; written by {@link #offer} only, which its upstream calls one at a time. */
    private final Map<String, Long> newestTaken = new ConcurrentHashMap<>();
    private final Queue<String> order = new ConcurrentLinkedQueue<>();
    private final AtomicInteger drains = new AtomicInteger();
    private final FluxSink<TableLiveState> sink;

    private LatestPerTable(FluxSink<TableLiveState> sink) {
        this.sink = sink;
    }

    static Flux<TableLiveState> of(Flux<LiveFeed.Arrived> states) {
        return Flux.create(sink -> {
            LatestPerTable lane = new LatestPerTable(sink);
            Disposable upstream = states.subscribe(lane::offer, sink::error, sink::complete);
            sink.onRequest(requested -> lane.drain());
            sink.onDispose(upstream);
        });
    }

    private void offer(LiveFeed.Arrived arrived) {
        TableLiveState state = arrived.state();
        String table = new TableRef(state.fleetId(), state.tableId()).key();
        Long taken = newestTaken.get(table);
        if (taken != null && taken >= arrived.arrival()) {
            return;
        }
        newestTaken.put(table, arrived.arrival());
        if (waiting.put(table, state) == null) {
            order.add(table);
        }
        drain();
    }

    /** One thread at a time emits, as far as the client asked; whoever arrives meanwhile makes it look again. */
    private void drain() {
        if (drains.getAndIncrement() != 0) {
            return;
        }
        do {
            while (sink.requestedFromDownstream() > 0 && !order.isEmpty()) {
                TableLiveState newest = waiting.remove(order.poll());
                if (newest != null) {
                    sink.next(newest);
                }
            }
        } while (drains.decrementAndGet() != 0);
    }
}
