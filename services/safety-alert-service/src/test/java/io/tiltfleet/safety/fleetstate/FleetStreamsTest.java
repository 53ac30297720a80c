package io.tiltfleet.safety.fleetstate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tiltfleet.contract.AlertChange;
import io.tiltfleet.contract.SafetyAlertEvent;
import io.tiltfleet.safety.SafetyProperties;
import io.tiltfleet.safety.alerts.Alert;
import io.tiltfleet.safety.alerts.AlertEvents;
import io.tiltfleet.safety.alerts.AlertStore;
import io.tiltfleet.safety.rules.AlertSignal;
import io.tiltfleet.safety.rules.AlertType;
import io.tiltfleet.safety.rules.SafetyLimits;
import io.tiltfleet.safety.rules.Severity;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import org.springframework.http.codec.ServerSentEvent;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

class FleetStreamsTest {

    private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");
    private static final int ALERT_BUFFER = 50;

    private final LiveFeed feed = new LiveFeed(new SimpleMeterRegistry());
    private final AlertStore store = mock(AlertStore.class);
    private final FleetStreams streams = new FleetStreams(feed, store, properties(Duration.ofHours(1)), Clock.fixed(NOW, ZoneOffset.UTC));

    private static SafetyProperties properties(Duration heartbeat) {
        return new SafetyProperties(SafetyLimits.DEFAULTS, Duration.ofSeconds(1), heartbeat, ALERT_BUFFER, Duration.ofMinutes(15),
                Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(10), false, Duration.ofHours(2), null);
    }

    @Test
    void aSlowClientGetsEveryAlertInOrderAndOnlyTheNewestStateOfEachTable() {
        SlowClient client = SlowClient.reading(streams.open("clinic", Optional.empty()));

        // 3 tables report 10,000 states while the client reads nothing; 5 alert changes come in between
        for (int i = 0; i < 10_000; i++) {
            feed.publish(state("t-" + (i % 3), i));
            if (i % 2_000 == 0) {
                feed.publish(alert("a-" + i, NOW.plusMillis(i)));
            }
        }
        client.read(100);

        assertThat(client.named("alert")).extracting(e -> ((SafetyAlertEvent) e.data()).alertId())
                .containsExactly("a-0", "a-2000", "a-4000", "a-6000", "a-8000");
        // at most the one state that waited at the merge when the flood began, then the newest of each table
        List<TableLiveState> tables = client.named("table").stream().map(e -> (TableLiveState) e.data()).toList();
        assertThat(tables).hasSizeBetween(3, 4);
        assertThat(tables.subList(tables.size() - 3, tables.size())).extracting(TableLiveState::sessionElapsedS)
                .containsExactlyInAnyOrder(9_999.0, 9_998.0, 9_997.0);
    }

    @Test
    void aClientResumingWithLastEventIdGetsTheAlertsChangedSinceThenTheLiveOnes() {
        Alert missed = stored("a-missed", NOW.minusSeconds(20));
        when(store.changedSince(eq("clinic"), eq(NOW.minusSeconds(30).minus(FleetStreams.REPLAY_MARGIN)), anyInt()))
                .thenReturn(Flux.just(missed));
        SlowClient client = SlowClient.reading(streams.open("clinic",
                Optional.of(FleetStreams.timeOf(NOW.minusSeconds(30).toEpochMilli() + "-a-last-seen"))));

        feed.publish(alert("a-live", NOW));
        client.read(10);

        assertThat(client.named("alert")).extracting(ServerSentEvent::id)
                .containsExactly(FleetStreams.idOf(AlertEvents.eventOf(missed, AlertChange.RAISED, null)), NOW.toEpochMilli() + "-a-live");
    }

    @Test
    void aClientWhoseLastAlertIsOlderThanTheWindowIsToldToReloadThenGetsTheWindow() {
        when(store.changedSince(eq("clinic"), eq(NOW.minus(Duration.ofMinutes(15))), anyInt())).thenReturn(Flux.empty());
        SlowClient client = SlowClient.reading(streams.open("clinic", Optional.of(NOW.minus(Duration.ofHours(2)))));

        client.read(10);

        assertThat(client.named("gap")).hasSize(1);
    }

    @Test
    void aClientTooSlowForTheAlertsAloneIsToldWhyAndTheStreamEnds() {
        SlowClient client = SlowClient.reading(streams.open("clinic", Optional.empty()));

        for (int i = 0; i < ALERT_BUFFER + 200; i++) {
            feed.publish(alert("a-" + i, NOW.plusMillis(i)));
        }
        client.read(1_000);

        assertThat(client.events).last().extracting(ServerSentEvent::event).isEqualTo("overflow");
        assertThat(client.completed).isTrue();
    }

    @Test
    void moreChangesSinceTheLastOneThanAReplayHoldsSayReloadInsteadOfReplayingPart() {
        when(store.changedSince(eq("clinic"), any(Instant.class), anyInt()))
                .thenReturn(Flux.range(0, FleetStreams.MOST_REPLAYED + 1).map(i -> stored("a-" + i, NOW.minusSeconds(60))));
        SlowClient client = SlowClient.reading(streams.open("clinic", Optional.of(NOW.minusSeconds(90))));

        client.read(10);

        assertThat(client.named("gap")).hasSize(1);
        assertThat(client.named("alert")).isEmpty();
    }

    @Test
    void liveChangesHeldWhileTheReplayIsReadAreBoundedAndTheClientIsToldWhenTheyOverflow() {
        Sinks.Many<Alert> slowReplay = Sinks.many().unicast().onBackpressureBuffer();
        when(store.changedSince(eq("clinic"), any(Instant.class), anyInt())).thenReturn(slowReplay.asFlux());
        SlowClient client = SlowClient.reading(streams.open("clinic", Optional.of(NOW.minusSeconds(30))));

        for (int i = 0; i < ALERT_BUFFER + 10; i++) {
            feed.publish(alert("a-" + i, NOW.plusMillis(i)));
        }
        slowReplay.tryEmitComplete();
        client.read(1_000);

        assertThat(client.events).last().extracting(ServerSentEvent::event).isEqualTo("overflow");
        assertThat(client.completed).isTrue();
    }

    @Test
    void aClientThatReadsNothingForManyHeartbeatsKeepsItsStreamAndThenGetsTheAlerts() {
        Duration heartbeat = Duration.ofMillis(20);
        FleetStreams streamsBeatingOften = new FleetStreams(feed, store, properties(heartbeat), Clock.fixed(NOW, ZoneOffset.UTC));
        SlowClient client = SlowClient.reading(streamsBeatingOften.open("clinic", Optional.empty()));

        // twenty heartbeats come while the client reads nothing: its connection is slow
        await().during(heartbeat.multipliedBy(20)).atMost(Duration.ofSeconds(5)).until(() -> client.failed == null);
        feed.publish(alert("a-after", NOW));
        client.read(1_000);

        assertThat(client.completed).isFalse();
        assertThat(client.named("alert")).extracting(e -> ((SafetyAlertEvent) e.data()).alertId()).containsExactly("a-after");
        client.dispose();
    }

    @Test
    void anAlienLastEventIdIsRefused() {
        assertThatThrownBy(() -> FleetStreams.timeOf("yesterday")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Last-Event-ID");
    }

    private static TableLiveState state(String tableId, int i) {
        return new TableLiveState("clinic", tableId, true, (double) (i % 90), true, (double) i, NOW, List.of());
    }

    private static SafetyAlertEvent alert(String id, Instant at) {
        return new SafetyAlertEvent(id, "clinic", "t-1", AlertChange.RAISED, "OVER_ANGLE", "WARNING", "ACTIVE_UNACKNOWLEDGED",
                "over", at, at, null, null, null);
    }

    private static Alert stored(String id, Instant at) {
        return Alert.raise(id, new AlertSignal("clinic", "t-2", AlertType.OVER_ANGLE, AlertChange.RAISED, Severity.WARNING, "over",
                null, at));
    }

    /** A client that reads only when told to: what it asked for is all it gets. */
    private static final class SlowClient extends BaseSubscriber<ServerSentEvent<Object>> {

        final List<ServerSentEvent<Object>> events = new CopyOnWriteArrayList<>();
        volatile boolean completed;
        volatile Throwable failed;

        static SlowClient reading(Flux<ServerSentEvent<Object>> stream) {
            SlowClient client = new SlowClient();
            stream.subscribe(client);
            return client;
        }

        @Override
        protected void hookOnSubscribe(Subscription subscription) {
        }

        @Override
        protected void hookOnNext(ServerSentEvent<Object> event) {
            events.add(event);
        }

        @Override
        protected void hookOnComplete() {
            completed = true;
        }

        @Override
        protected void hookOnError(Throwable failure) {
            failed = failure;
        }

        void read(int count) {
            request(count);
        }

        List<ServerSentEvent<Object>> named(String event) {
            return events.stream().filter(e -> event.equals(e.event())).toList();
        }
    }
}
