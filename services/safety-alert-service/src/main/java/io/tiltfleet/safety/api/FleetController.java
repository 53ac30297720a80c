package io.tiltfleet.safety.api;

import io.tiltfleet.contract.Ids;
import io.tiltfleet.safety.fleetstate.FleetStreams;
import jakarta.validation.constraints.Pattern;
import java.time.Instant;
import java.util.Optional;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebInputException;
import reactor.core.publisher.Flux;

/** A fleet's event stream for dashboards; its tables are listed by the registry ({@code io.tiltfleet.safety.registry}). */
@RestController
@RequestMapping("/api/fleet/{fleetId}")
class FleetController {

    private final FleetStreams streams;

    FleetController(FleetStreams streams) {
        this.streams = streams;
    }

    /** Alert changes and table states of one fleet as they happen ({@link FleetStreams}); resumable with Last-Event-ID. */
    @GetMapping(path = "/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    Flux<ServerSentEvent<Object>> stream(@PathVariable @Pattern(regexp = Ids.PATTERN) String fleetId,
                                         @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId) {
        return streams.open(fleetId, Optional.ofNullable(lastEventId).map(FleetController::resumePoint));
    }

    private static Instant resumePoint(String lastEventId) {
        try {
            return FleetStreams.timeOf(lastEventId);
        } catch (IllegalArgumentException malformed) {
            throw new ServerWebInputException(malformed.getMessage());
        }
    }
}
