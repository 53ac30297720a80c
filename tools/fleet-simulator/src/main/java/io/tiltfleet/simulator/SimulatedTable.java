package io.tiltfleet.simulator;

import io.tiltfleet.contract.TableStatus;
import java.time.Instant;
import java.util.Random;

/** A table's connection together with its behaviour; drops and restores the connection as the behaviour says. */
final class SimulatedTable {

    private final TablePublisher publisher;
    private final TableBehaviour behaviour;
    private final Random random;
    private volatile boolean online = true;

    SimulatedTable(TablePublisher publisher, TableBehaviour behaviour, Random random) {
        this.publisher = publisher;
        this.behaviour = behaviour;
        this.random = random;
    }

    TablePublisher publisher() {
        return publisher;
    }

    TableBehaviour behaviour() {
        return behaviour;
    }

    Random random() {
        return random;
    }

    boolean online() {
        return online;
    }

    /** A table that goes silent loses its connection without a goodbye, so the broker publishes its Last Will. */
    synchronized void follow(boolean shouldBeOnline, Instant now) {
        if (online && !shouldBeOnline) {
            publisher.dropConnection();
            online = false;
        } else if (!online && shouldBeOnline) {
            publisher.reconnect();
            publisher.publishStatus(TableStatus.State.ONLINE, now);
            online = true;
        }
    }

    synchronized void close(Instant now) {
        if (online) {
            publisher.publishStatus(TableStatus.State.OFFLINE, now).join();
        }
        publisher.close();
    }
}
