package io.tiltfleet.safety.alerts;

import io.tiltfleet.contract.AlertChange;
import io.tiltfleet.contract.TableRef;
import io.tiltfleet.safety.SafetyProperties;
import io.tiltfleet.safety.rules.AlertSignal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.common.header.Headers;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Takes what the rules decided to the alert store and then to Kafka, in order, and never loses it: a
 * decision stays due until both are done. Each step is started once and, when a wait for it times out,
 * waited for again rather than started anew: a write that outlasts the timeout may still land, and
 * must not land twice. Not thread-safe: the rule engine calls it under its own lock.
 */
@Component
public class AlertPublisher {

    /** An alert change the rules decided, on its way to the alert store and then to Kafka. */
    private static final class Decision {
        final AlertSignal signal;
        /** The headers of the record whose event caused it; null when time or a profile change did. */
        final Headers cause;
        /** The id of the alert it raises, if it raises one: the same for every attempt, so that a lost answer never raises two. */
        final String raisedId;
        /** The alert as stored; empty when the signal concerned an alert already closed: nothing to publish. */
        CompletableFuture<Optional<Alert>> storing;
        CompletableFuture<Void> publishing;

        Decision(AlertSignal signal, Headers cause) {
            this.signal = signal;
            this.cause = cause;
            this.raisedId = signal.change() == AlertChange.RAISED ? UUID.randomUUID().toString() : null;
        }

        String table() {
            return new TableRef(signal.fleetId(), signal.tableId()).key();
        }
    }

    /**
     * Decisions written at once: the raises among them in one insert, the other changes each on its own,
     * so that a storm of thousands queues no more than this at the MongoDB driver. The storm benchmark's
     * 1,000 silence alerts reached the stream p99 2,137 ms after they were due in waves of 256, and
     * 3,158 ms in one wave of them all.
     */
    private static final int WAVE = 256;

    private final AlertStore alerts;
    private final AlertEvents events;
    private final Duration timeout;
    /** Decisions not yet stored and published, oldest first. */
    private final Set<Decision> due = new LinkedHashSet<>();

    AlertPublisher(AlertStore alerts, AlertEvents events, SafetyProperties properties) {
        this.alerts = alerts;
        this.events = events;
        this.timeout = properties.storeTimeout();
    }

    /** @param cause the headers of the record whose event caused the signals; null when time or a profile change did */
    public void decided(List<AlertSignal> signals, Headers cause) {
        signals.forEach(signal -> due.add(new Decision(signal, cause)));
    }

    public int due() {
        return due.size();
    }

    /** Whether a decision about this table ({@link TableRef#key}) is not yet stored and published. */
    public boolean owes(String table) {
        return due.stream().anyMatch(decision -> table.equals(decision.table()));
    }

    /**
     * Stores, then publishes, every due decision, in order for each table. The tables' decisions go in
     * waves, the oldest due of each table at once: a thousand tables silent together (a site's network
     * gone) cost a few round trips, not a thousand in a row under the rules' lock.
     *
     * @throws IllegalStateException at the first step that fails or outlasts the timeout; what is left stays due
     */
    public void deliverDue() {
        while (!due.isEmpty()) {
            List<Decision> wave = oldestOfEachTable();
            store(wave.stream().filter(decision -> decision.storing == null || decision.storing.isCompletedExceptionally()).toList());
            IllegalStateException failure = null;
            for (Decision decision : wave) {
                try {
                    awaitWrite(decision.storing).ifPresent(stored -> publish(decision, stored));
                } catch (IllegalStateException e) {
                    failure = failure == null ? e : failure;
                }
            }
            // each decision delivered leaves at once: one that stayed due after a failure would be decided again by a new owner
            for (Decision decision : wave) {
                try {
                    if (delivered(decision)) {
                        due.remove(decision);
                    }
                } catch (IllegalStateException e) {
                    failure = failure == null ? e : failure;
                }
            }
            if (failure != null) {
                throw failure;
            }
        }
    }

    /** Starts the writes: the raises together in one insert, every other change on its own. */
    private void store(List<Decision> decisions) {
        Map<Boolean, List<Decision>> byRaising = decisions.stream().collect(Collectors.partitioningBy(decision -> decision.raisedId != null));
        List<Decision> raises = byRaising.get(true);
        if (!raises.isEmpty()) {
            List<Mono<Alert>> stored = alerts.raiseAll(raises.stream().map(decision -> decision.signal).toList(),
                    raises.stream().map(decision -> decision.raisedId).toList());
            for (int i = 0; i < raises.size(); i++) {
                raises.get(i).storing = stored.get(i).map(Optional::of).toFuture();
            }
        }
        byRaising.get(false).forEach(decision ->
                decision.storing = alerts.apply(decision.signal).map(Optional::of).defaultIfEmpty(Optional.empty()).toFuture());
    }

    private void publish(Decision decision, Alert stored) {
        if (decision.publishing == null || decision.publishing.isCompletedExceptionally()) {
            decision.publishing = events.publish(stored, decision.signal.change(),
                    decision.signal.reading() == null ? null : decision.signal.reading().ts(), decision.cause).toFuture();
        }
    }

    /** Stored and, unless it concerned an alert already closed, published; false when its store failed or is still on its way. */
    private boolean delivered(Decision decision) {
        if (!decision.storing.isDone() || decision.storing.isCompletedExceptionally()) {
            return false;
        }
        if (decision.storing.join().isPresent()) {
            awaitWrite(decision.publishing);
        }
        return true;
    }

    /** The oldest due decision of each table, at most {@link #WAVE} of them, oldest first. */
    private List<Decision> oldestOfEachTable() {
        Set<String> tables = new HashSet<>();
        List<Decision> wave = new ArrayList<>();
        for (Decision decision : due) {
            if (tables.add(decision.table()) && wave.size() < WAVE) {
                wave.add(decision);
            }
        }
        return wave;
    }

    /**
     * Drops what is due for these tables ({@link TableRef#key()} keys): another instance owns them now,
     * loads the memory stored before these decisions and decides again from the uncommitted records.
     */
    public void forget(Collection<String> tables) {
        due.removeIf(decision -> tables.contains(decision.table()));
    }

    private <T> T awaitWrite(CompletableFuture<T> write) {
        try {
            return write.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException failed) {
            throw new IllegalStateException("an alert write failed: " + failed.getCause(), failed.getCause());
        } catch (TimeoutException slow) {
            throw new IllegalStateException("an alert write took longer than " + timeout + "; waiting for it again", slow);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while an alert was written", interrupted);
        }
    }
}
