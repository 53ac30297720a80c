package io.tiltfleet.analytics.api;

import io.tiltfleet.analytics.sessions.SessionDocument;
import io.tiltfleet.analytics.sessions.SessionFilter;
import io.tiltfleet.analytics.sessions.SessionStore;
import io.tiltfleet.analytics.sessions.SessionSummary;
import io.tiltfleet.analytics.sessions.TraceDocument;
import io.tiltfleet.contract.Ids;
import io.tiltfleet.contract.TableRef;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;

/** A fleet's sessions, filtered and paged, newest first, and the trace of each. */
@RestController
@RequestMapping("/api/analytics/fleets/{fleetId}/sessions")
class SessionsController {

    private final SessionStore sessions;
    private final Clock clock;

    SessionsController(SessionStore sessions, Clock clock) {
        this.sessions = sessions;
        this.clock = clock;
    }

    record SessionPage(int page, int size, long totalItems, List<SessionDocument> items) {
    }

    @GetMapping
    Mono<SessionPage> list(@PathVariable @Pattern(regexp = Ids.PATTERN) String fleetId,
                           @RequestParam(required = false) @Pattern(regexp = Ids.PATTERN) String tableId,
                           @RequestParam(required = false) Instant from, @RequestParam(required = false) Instant to,
                           @RequestParam(required = false) @Min(0) Double minDurationS,
                           @RequestParam(required = false) @Min(-90) @Max(90) Double minMaxAngleDeg,
                           @RequestParam(required = false) SessionSummary.EndReason endedBy,
                           @RequestParam(defaultValue = "0") @Min(0) @Max(100_000) int page,
                           @RequestParam(defaultValue = "50") @Min(1) @Max(1000) int size) {
        TimeRange range = TimeRange.of(from, to, Instant.EPOCH, clock.instant().plusSeconds(1));
        SessionFilter filter = new SessionFilter(fleetId, tableId, range.from(), range.to(), minDurationS, minMaxAngleDeg, endedBy);
        return Mono.zip(sessions.count(filter), sessions.page(filter, page, size).collectList(),
                (total, items) -> new SessionPage(page, size, total, items));
    }

    /**
     * A session's thinned angle and lock trace. The path spells the session's id ({@code fleet/table/session/start}) as
     * its own segments, each checked: an id never carries an encoded slash.
     */
    @GetMapping("/{tableId}/{deviceSessionId}/{startEpochMs}/trace")
    Mono<TraceDocument> trace(@PathVariable @Pattern(regexp = Ids.PATTERN) String fleetId,
                              @PathVariable @Pattern(regexp = Ids.PATTERN) String tableId,
                              @PathVariable @Pattern(regexp = Ids.PATTERN) String deviceSessionId,
                              @PathVariable @Min(0) long startEpochMs) {
        String id = new TableRef(fleetId, tableId).key() + "/" + deviceSessionId + "/" + startEpochMs;
        return sessions.trace(id).switchIfEmpty(Mono.error(() -> new ResponseStatusException(HttpStatus.NOT_FOUND,
                "no trace of session " + id + ": it is not closed yet, or was closed before traces were kept")));
    }
}
