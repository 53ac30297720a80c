package io.tiltfleet.safety.fleetstate;

import io.tiltfleet.contract.SafetyAlertEvent;
import io.tiltfleet.safety.SafetyProperties;
import io.tiltfleet.safety.alerts.AlertEvents;
import io.tiltfleet.safety.alerts.AlertStore;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.Exceptions;
import reactor.core.publisher.BufferOverflowStrategy;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;

/**
 * A dashboard's event stream of one fleet, in two lanes. Alert changes ({@code alert}) come in full and
 * in order, each with an SSE id; a client that reconnects with {@code Last-Event-ID} first gets the
 * alerts changed since (as they are now, from the alert store, so on whichever instance it lands), then
 * the live ones. Table states ({@code table}) are conflated to the newest per table. A client that falls
 * behind on alerts alone by more than {@code stream-alert-buffer} gets a final {@code overflow} event
 * and the stream ends, so it reconnects and resumes: never silently short.
 */
@Component
public class FleetStreams {

    /**
     * How much earlier than the client's last alert the replay starts: changes of other tables stored at
     * about the same time may reach the live feed later (another partition, another instance), and
     * replaying one twice is harmless, as each carries its whole state.
     */
    static final Duration REPLAY_MARGIN = Duration.ofMinutes(1);
    /** More alert changes than this since a client's last one: it reloads the list instead. */
    static final int MOST_REPLAYED = 5_000;
    /** A replay that takes longer ends the stream with an error: the client reconnects and asks again. */
    static final Duration REPLAY_TIMEOUT = Duration.ofSeconds(15);

    private final LiveFeed feed;
    private final AlertStore alerts;
    private final SafetyProperties properties;
    private final Clock clock;

    FleetStreams(LiveFeed feed, AlertStore alerts, SafetyProperties properties, Clock clock) {
        this.feed = feed;
        this.alerts = alerts;
        this.properties = properties;
        this.clock = clock;
    }

    /** The SSE id of an alert change: when it changed, then which alert. */
    public static String idOf(SafetyAlertEvent event) {
        return event.updatedAt().toEpochMilli() + "-" + event.alertId();
    }

    /**
     * When the alert change a {@code Last-Event-ID} names happened.
     *
     * @throws IllegalArgumentException when it is no id this service gave
     */
    public static Instant timeOf(String lastEventId) {
        int end = lastEventId.indexOf('-');
        try {
            return Instant.ofEpochMilli(Long.parseLong(end < 0 ? lastEventId : lastEventId.substring(0, end)));
        } catch (NumberFormatException | DateTimeException e) {
            throw new IllegalArgumentException("Last-Event-ID must be the id of an alert event of this stream, such as 1764670000000-<alertId>");
        }
    }

    /** @param resumeAfter when the client's last alert event happened, if it resumes */
    public Flux<ServerSentEvent<Object>> open(String fleetId, Optional<Instant> resumeAfter) {
        Sinks.Empty<Void> ended = Sinks.empty();
        Flux<ServerSentEvent<Object>> alertLane = alertChanges(fleetId, resumeAfter)
                .onBackpressureBuffer(properties.streamAlertBuffer(), dropped -> { }, BufferOverflowStrategy.ERROR)
                .onErrorResume(Exceptions::isOverflow, overflow -> Flux.just(notice("overflow",
                        "this client read alert changes more slowly than they came; reconnect with Last-Event-ID to resume")))
                .doFinally(signal -> ended.tryEmitEmpty());
        Flux<ServerSentEvent<Object>> tableLane = feed.tables(fleetId)
                .map(state -> ServerSentEvent.<Object>builder(state).event("table").build());
        // a heartbeat a slow client has no room for is not needed: without the drop, the interval ended the stream with an error
        Flux<ServerSentEvent<Object>> heartbeats = Flux.interval(properties.heartbeat()).onBackpressureDrop()
                .map(n -> ServerSentEvent.<Object>builder().comment("heartbeat").build());
        // one event waits per lane at the merge, so what a slow client gets next is decided by the lanes, as late as possible
        return Flux.merge(1, alertLane, tableLane.takeUntilOther(ended.asMono()), heartbeats.takeUntilOther(ended.asMono()));
    }

    /**
     * The live alert changes of the fleet; when resuming, first those since the resume point (and a
     * {@code gap} event when it lies before the replay window: the client reloads its alert list). The
     * live ones are held from the start, so that none slips between the replay's query and the live feed.
     */
    private Flux<ServerSentEvent<Object>> alertChanges(String fleetId, Optional<Instant> resumeAfter) {
        Flux<SafetyAlertEvent> live = feed.alerts().filter(event -> event.fleetId().equals(fleetId));
        if (resumeAfter.isEmpty()) {
            return live.map(FleetStreams::alertEvent);
        }
        Instant oldest = clock.instant().minus(properties.streamReplayWindow());
        Instant from = resumeAfter.get().minus(REPLAY_MARGIN);
        Flux<ServerSentEvent<Object>> gap = from.isBefore(oldest) ? Flux.just(notice("gap",
                "the last alert this client saw is older than the replay window (" + properties.streamReplayWindow()
                        + "): reload the alert list")) : Flux.empty();
        Flux<ServerSentEvent<Object>> replay = alerts.changedSince(fleetId, from.isBefore(oldest) ? oldest : from, MOST_REPLAYED + 1)
                .collectList().timeout(REPLAY_TIMEOUT)
                .flatMapMany(changed -> changed.size() > MOST_REPLAYED
                        ? Flux.just(notice("gap", "more than " + MOST_REPLAYED + " alert changes since the last one this client saw: reload the alert list"))
                        : Flux.fromIterable(changed).map(alert -> alertEvent(AlertEvents.eventOf(alert, alert.lastChange(), null))));
        return Flux.defer(() -> {
            // as many live changes wait during the replay as a slow client may lag: past that, it is told so and resumes
            Sinks.Many<SafetyAlertEvent> held = Sinks.many().unicast().onBackpressureBuffer(Queues.<SafetyAlertEvent>get(properties.streamAlertBuffer()).get());
            Disposable holding = live.subscribe(event -> {
                if (held.tryEmitNext(event) == Sinks.EmitResult.FAIL_OVERFLOW) {
                    held.tryEmitError(Exceptions.failWithOverflow());
                }
            });
            return Flux.concat(gap, replay, held.asFlux().map(FleetStreams::alertEvent)).doFinally(signal -> holding.dispose());
        });
    }

    private static ServerSentEvent<Object> alertEvent(SafetyAlertEvent event) {
        return ServerSentEvent.<Object>builder(event).event("alert").id(idOf(event)).build();
    }

    private static ServerSentEvent<Object> notice(String event, String reason) {
        return ServerSentEvent.<Object>builder(Map.of("reason", reason)).event(event).build();
    }
}
