package io.tiltfleet.safety.alerts;

import io.tiltfleet.contract.TableRef;
import io.tiltfleet.safety.SafetyProperties;
import io.tiltfleet.safety.rules.AlertSignal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.header.Headers;
import org.springframework.stereotype.Component;

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
        /** The alert as stored; empty when the signal concerned an alert already closed: nothing to publish. */
        CompletableFuture<Optional<Alert>> storing;
        CompletableFuture<Void> publishing;

        Decision(AlertSignal signal, Headers cause) {
            this.signal = signal;
            this.cause = cause;
        }
    }

    private final AlertStore alerts;
    private final AlertEvents events;
    private final Duration timeout;
    /** Decisions not yet stored and published, oldest first. */
    private final List<Decision> due = new ArrayList<>();

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
        return due.stream().anyMatch(decision -> table.equals(new TableRef(decision.signal.fleetId(), decision.signal.tableId()).key()));
    }

    /**
     * Stores, then publishes, every due decision in order.
     *
     * @throws IllegalStateException at the first step that fails or outlasts the timeout; what is left stays due
     */
    public void deliverDue() {
        while (!due.isEmpty()) {
            Decision decision = due.get(0);
            AlertSignal signal = decision.signal;
            if (decision.storing == null || decision.storing.isCompletedExceptionally()) {
                decision.storing = alerts.apply(signal).map(Optional::of).defaultIfEmpty(Optional.empty()).toFuture();
            }
            Optional<Alert> stored = awaitWrite(decision.storing);
            if (stored.isPresent()) {
                if (decision.publishing == null || decision.publishing.isCompletedExceptionally()) {
                    decision.publishing = events.publish(stored.get(), signal.change(),
                            signal.reading() == null ? null : signal.reading().ts(), decision.cause).toFuture();
                }
                awaitWrite(decision.publishing);
            }
            due.remove(0);
        }
    }

    /**
     * Drops what is due for these tables ({@link TableRef#key()} keys): another instance owns them now,
     * loads the memory stored before these decisions and decides again from the uncommitted records.
     */
    public void forget(Collection<String> tables) {
        due.removeIf(decision -> tables.contains(new TableRef(decision.signal.fleetId(), decision.signal.tableId()).key()));
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
