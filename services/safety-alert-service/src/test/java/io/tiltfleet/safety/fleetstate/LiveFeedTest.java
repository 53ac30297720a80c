package io.tiltfleet.safety.fleetstate;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tiltfleet.contract.AlertChange;
import io.tiltfleet.contract.SafetyAlertEvent;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;

class LiveFeedTest {

    private static final Instant NOW = Instant.parse("2026-12-03T10:00:00Z");

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final LiveFeed feed = new LiveFeed(registry);

    @Test
    void aStateOfAnUnwatchedFleetIsReadOnlyWhenAStreamOfTheFleetBeginsAndThenStreamsComeAsTheyAre() {
        AtomicInteger reads = new AtomicInteger();
        feed.keep("clinic", "clinic/t-1", () -> {
            reads.incrementAndGet();
            return state("t-1", 10);
        });
        feed.keep("gym", "gym/t-1", () -> {
            reads.incrementAndGet();
            return state("t-1", 20);
        });
        assertThat(feed.watched("clinic")).isFalse();
        assertThat(reads).hasValue(0);

        // When a stream of the clinic begins
        List<TableLiveState> shown = new CopyOnWriteArrayList<>();
        Disposable stream = feed.tables("clinic").subscribe(shown::add);

        // Then it begins with the clinic's kept state, read now and only now; the clinic is watched from then on
        assertThat(shown).extracting(TableLiveState::angleDeg).containsExactly(10.0);
        assertThat(reads).hasValue(1);
        assertThat(feed.watched("clinic")).isTrue();
        assertThat(feed.watched("gym")).isFalse();

        feed.publish(state("t-2", 30));
        assertThat(shown).extracting(TableLiveState::angleDeg).containsExactly(10.0, 30.0);

        // once its last stream ends, nobody watches the clinic
        Disposable second = feed.tables("clinic").subscribe();
        stream.dispose();
        assertThat(feed.watched("clinic")).isTrue();
        second.dispose();
        assertThat(feed.watched("clinic")).isFalse();
    }

    @Test
    void aStateKeptJustAsAStreamOfItsFleetBeganIsShownOnIt() {
        List<TableLiveState> shown = new CopyOnWriteArrayList<>();
        feed.tables("clinic").subscribe(shown::add);

        // the relay found the fleet unwatched a moment before the stream began
        feed.keep("clinic", "clinic/t-3", () -> state("t-3", 40));

        assertThat(shown).extracting(TableLiveState::angleDeg).containsExactly(40.0);
    }

    @Test
    void aKeptStateThatCannotBeReadIsLeftOutOfTheStreamsBeginning() {
        feed.keep("clinic", "clinic/t-1", () -> null);
        feed.publish(state("t-2", 30));

        assertThat(feed.tables("clinic").take(1).collectList().block()).extracting(TableLiveState::tableId).containsExactly("t-2");
    }

    @Test
    void aStreamThatTakesNothingHoldsOneStateATableWhileTheFeedGoesOnForEveryOtherStream() {
        feed.tables("clinic").subscribe(new TakingNothing<>());
        for (int i = 0; i < 10_000; i++) {
            feed.publish(state("t-" + (i % 1_000), i % 90));
        }

        List<TableLiveState> shown = new CopyOnWriteArrayList<>();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        feed.tables("clinic").subscribe(shown::add, failed::set);
        feed.publish(state("t-new", 45));

        assertThat(failed).hasNullValue();
        assertThat(shown).hasSize(1_001).last().extracting(TableLiveState::tableId).isEqualTo("t-new");
        assertThat(missed("table")).isZero();
    }

    @Test
    void eachTableShowsNeverAnOlderStateAfterANewerOneNorMissesOneWhileAStreamReadsTheFleetsLatest() throws Exception {
        AtomicInteger reads = new AtomicInteger();
        CountDownLatch inSecondRead = new CountDownLatch(1);
        CountDownLatch newerPublished = new CountDownLatch(1);
        for (int i = 0; i < 200; i++) {
            int table = i;
            feed.keep("clinic", "clinic/t-" + i, () -> {
                // the stream is then amid reading the fleet's latest states, past the first
                if (reads.incrementAndGet() == 2) {
                    inSecondRead.countDown();
                    awaitQuietly(newerPublished);
                }
                return state("t-" + table, 10);
            });
        }
        Map<String, List<Double>> shown = new ConcurrentHashMap<>();
        ExecutorService streamBegins = Executors.newSingleThreadExecutor();
        try {
            Future<?> begun = streamBegins.submit(() -> feed.tables("clinic")
                    .subscribe(state -> shown.computeIfAbsent(state.tableId(), table -> new CopyOnWriteArrayList<>()).add(state.angleDeg())));

            // meanwhile newer states of every table come from the relay's thread, more than a merge's default prefetch (32)
            assertThat(inSecondRead.await(10, TimeUnit.SECONDS)).isTrue();
            for (int round = 0; round < 5; round++) {
                for (int i = 0; i < 200; i++) {
                    feed.publish(state("t-" + i, 30 + round));
                }
            }
            newerPublished.countDown();
            begun.get(10, TimeUnit.SECONDS);
        } finally {
            streamBegins.shutdownNow();
        }

        assertThat(shown).hasSize(200).allSatisfy((table, angles) -> assertThat(angles).as(table)
                .isSortedAccordingTo(Comparator.naturalOrder()).doesNotHaveDuplicates().endsWith(34.0));
        assertThat(missed("table")).isZero();
    }

    @Test
    void anAlertThatWaitsTooLongForAnotherEmitterIsCountedAsMissed() throws Exception {
        CountDownLatch inSlowStream = new CountDownLatch(1);
        CountDownLatch secondOffered = new CountDownLatch(1);
        feed.alerts().subscribe(event -> {
            inSlowStream.countDown();
            awaitQuietly(secondOffered);
        });
        Thread first = new Thread(() -> feed.publish(alert("a-first")));
        first.start();
        assertThat(inSlowStream.await(10, TimeUnit.SECONDS)).isTrue();

        feed.publish(alert("a-second"));
        secondOffered.countDown();
        first.join(10_000);

        assertThat(missed("alert")).isEqualTo(1);
    }

    @Test
    void anAlertThatNoStreamHasRoomForLeavesTheAlertFeedOpen() {
        feed.alerts().subscribe(new TakingNothing<>());
        feed.publish(alert("a-missed"));

        List<String> shown = new CopyOnWriteArrayList<>();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        feed.alerts().subscribe(event -> shown.add(event.alertId()), failed::set);
        feed.publish(alert("a-next"));

        assertThat(failed).hasNullValue();
        assertThat(shown).containsExactly("a-next");
        assertThat(missed("alert")).isEqualTo(1);
    }

    private double missed(String lane) {
        return registry.get(LiveFeed.MISSED).tag("lane", lane).counter().count();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A client whose connection takes nothing: it never asks for an item. */
    private static final class TakingNothing<T> extends BaseSubscriber<T> {
        @Override
        protected void hookOnSubscribe(Subscription subscription) {
        }
    }

    private static SafetyAlertEvent alert(String id) {
        return new SafetyAlertEvent(id, "clinic", "t-1", AlertChange.RAISED, "OVER_ANGLE", "WARNING", "ACTIVE_UNACKNOWLEDGED",
                "over", NOW, NOW, null, null, null);
    }

    private static TableLiveState state(String tableId, double angle) {
        return new TableLiveState("clinic", tableId, true, angle, true, 12.0, NOW, List.of());
    }
}
