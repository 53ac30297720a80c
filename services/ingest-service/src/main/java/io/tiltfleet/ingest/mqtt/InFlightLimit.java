package io.tiltfleet.ingest.mqtt;

import io.tiltfleet.ingest.IngestMetrics;
import java.util.concurrent.Semaphore;
import java.util.function.BooleanSupplier;

/**
 * The bound on messages received and not yet settled (acknowledged, or left to the broker to redeliver).
 * Paho's delivery thread waits in {@link #admit} while the bound is reached: it stops reading the socket,
 * and TCP pushes back to the broker, which queues instead. Needed next to the MQTT 5 receive maximum
 * because Mosquitto 2.0 overruns that quota once acknowledgements flow.
 */
final class InFlightLimit {

    private final Semaphore room;
    private final IngestMetrics metrics;

    InFlightLimit(int maxInFlight, IngestMetrics metrics) {
        this.room = new Semaphore(maxInFlight);
        this.metrics = metrics;
    }

    /**
     * Waits for room and counts the message in; false, with nothing counted, when the wait was interrupted
     * or the intake stopped accepting meanwhile: the message stays unacknowledged, the broker keeps it.
     */
    boolean admit(BooleanSupplier accepting) {
        try {
            room.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        if (!accepting.getAsBoolean()) {
            room.release();
            return false;
        }
        metrics.received();
        return true;
    }

    /** A message admitted is settled: its room goes to the next one. */
    void settled() {
        metrics.settled();
        room.release();
    }
}
