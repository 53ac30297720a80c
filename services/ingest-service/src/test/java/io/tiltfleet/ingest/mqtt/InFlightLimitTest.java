package io.tiltfleet.ingest.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tiltfleet.ingest.IngestMetrics;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The intake's flow control, with a thread of the test standing in for Paho's delivery thread: held at
 * the bound, so that the broker stops delivering, and let go message by message as Kafka stores them.
 */
class InFlightLimitTest {

    static final long HELD_MILLIS = 300;

    final IngestMetrics metrics = new IngestMetrics(new SimpleMeterRegistry());
    final InFlightLimit limit = new InFlightLimit(2, metrics);
    final AtomicBoolean accepting = new AtomicBoolean(true);
    final ExecutorService deliveryThread = Executors.newSingleThreadExecutor();

    @AfterEach
    void stopDeliveryThread() {
        deliveryThread.shutdownNow();
    }

    @Test
    void messagesAreAdmittedUpToTheBoundAndCountedInFlight() {
        assertThat(limit.admit(accepting::get)).isTrue();
        assertThat(limit.admit(accepting::get)).isTrue();

        assertThat(metrics.inFlight()).isEqualTo(2);
    }

    @Test
    void atTheBoundTheDeliveryThreadIsHeldUntilAMessageIsSettled() throws Exception {
        Future<Boolean> third = aThirdMessageHeldAtTheBound();

        limit.settled();

        assertThat(third.get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(metrics.inFlight()).isEqualTo(2);
    }

    @Test
    void eachSettledMessageLetsExactlyOneMoreIn() throws Exception {
        limit.admit(accepting::get);
        limit.admit(accepting::get);
        CompletableFuture<Void> fourMore = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < 4; i++) {
                limit.admit(accepting::get);
            }
        }, deliveryThread);

        for (int settled = 1; settled <= 4; settled++) {
            limit.settled();
            awaitInFlight(2, "after " + settled + " settled");
        }
        fourMore.get(5, TimeUnit.SECONDS);
        assertThat(metrics.inFlight()).isEqualTo(2);
    }

    @Test
    void aMessageThatGetsRoomAfterTheIntakeStoppedAcceptingIsRefusedAndGivesTheRoomBack() throws Exception {
        Future<Boolean> held = aThirdMessageHeldAtTheBound();

        accepting.set(false);
        limit.settled();

        assertThat(held.get(5, TimeUnit.SECONDS)).as("left unacknowledged for the broker to keep").isFalse();
        assertThat(metrics.inFlight()).isEqualTo(1);
        accepting.set(true);
        assertThat(limit.admit(accepting::get)).as("its room was given back").isTrue();
    }

    @Test
    void anInterruptedWaitAdmitsNothing() throws Exception {
        Future<Boolean> held = aThirdMessageHeldAtTheBound();

        deliveryThread.shutdownNow();

        assertThat(deliveryThread.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        assertThat(held.get()).isFalse();
        assertThat(metrics.inFlight()).isEqualTo(2);
    }

    /** Two messages in flight, and the delivery thread waiting with a third. */
    private Future<Boolean> aThirdMessageHeldAtTheBound() throws InterruptedException {
        limit.admit(accepting::get);
        limit.admit(accepting::get);
        Future<Boolean> third = deliveryThread.submit(() -> limit.admit(accepting::get));
        TimeUnit.MILLISECONDS.sleep(HELD_MILLIS);
        assertThat(third).as("held while two are in flight").isNotDone();
        return third;
    }

    private void awaitInFlight(int expected, String when) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (metrics.inFlight() != expected && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(5);
        }
        assertThat(metrics.inFlight()).as(when).isEqualTo(expected);
    }
}
