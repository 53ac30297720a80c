package io.tiltfleet.analytics.export;

import io.tiltfleet.analytics.AnalyticsProperties;
import io.tiltfleet.analytics.api.TimeRange;
import io.tiltfleet.analytics.sessions.SessionFilter;
import io.tiltfleet.analytics.sessions.SessionStore;
import io.tiltfleet.analytics.sessions.SessionSummary;
import io.tiltfleet.analytics.usage.Granularity;
import io.tiltfleet.analytics.usage.RollupStore;
import io.tiltfleet.analytics.usage.UsageQuery;
import io.tiltfleet.contract.Ids;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;

/**
 * Sessions and usage rollups of a fleet as CSV or NDJSON files, streamed, for any range. The file
 * name is built from the validated fleet id and the range, never from free text.
 */
@RestController
@RequestMapping("/api/analytics/fleets/{fleetId}/exports")
class ExportController {

    private final SessionStore sessions;
    private final RollupStore rollups;
    private final Exporter exporter;
    private final AnalyticsProperties properties;
    private final Clock clock;

    ExportController(SessionStore sessions, RollupStore rollups, Exporter exporter, AnalyticsProperties properties, Clock clock) {
        this.sessions = sessions;
        this.rollups = rollups;
        this.exporter = exporter;
        this.properties = properties;
        this.clock = clock;
    }

    @GetMapping("/sessions")
    ResponseEntity<Flux<DataBuffer>> sessions(@PathVariable @Pattern(regexp = Ids.PATTERN) String fleetId,
                                              @RequestParam(required = false) @Pattern(regexp = Ids.PATTERN) String tableId,
                                              @RequestParam(required = false) Instant from, @RequestParam(required = false) Instant to,
                                              @RequestParam(required = false) @Min(0) Double minDurationS,
                                              @RequestParam(required = false) @Min(-90) @Max(90) Double minMaxAngleDeg,
                                              @RequestParam(required = false) SessionSummary.EndReason endedBy,
                                              @RequestParam(defaultValue = "CSV") ExportFormat format) {
        TimeRange range = range(from, to);
        SessionFilter filter = new SessionFilter(fleetId, tableId, range.from(), range.to(), minDurationS, minMaxAngleDeg, endedBy);
        return file(fleetId, "sessions", range, format, exporter.write("sessions", format, ExportColumns.SESSIONS,
                sessions.stream(filter, properties.exportFetchSize()), properties.exportChunkRows()));
    }

    /**
     * @param tables with true, every table's own rollups of the fleet (or the one {@code tableId});
     *               with false, the fleet's
     */
    @GetMapping("/usage")
    ResponseEntity<Flux<DataBuffer>> usage(@PathVariable @Pattern(regexp = Ids.PATTERN) String fleetId,
                                           @RequestParam(required = false) @Pattern(regexp = Ids.PATTERN) String tableId,
                                           @RequestParam(defaultValue = "false") boolean tables,
                                           @RequestParam(defaultValue = "DAY") Granularity granularity,
                                           @RequestParam(required = false) Instant from, @RequestParam(required = false) Instant to,
                                           @RequestParam(defaultValue = "CSV") ExportFormat format) {
        TimeRange range = range(from, to);
        UsageQuery query = new UsageQuery(fleetId, tableId, tables && tableId == null, granularity, range.from(), range.to());
        return file(fleetId, "usage-" + granularity.name().toLowerCase(), range, format, exporter.write("usage", format,
                ExportColumns.USAGE, rollups.stream(query, properties.exportFetchSize()), properties.exportChunkRows()));
    }

    /** Everything up to now unless the caller says otherwise. */
    private TimeRange range(Instant from, Instant to) {
        return TimeRange.of(from, to, Instant.EPOCH, clock.instant().plusSeconds(1));
    }

    private static ResponseEntity<Flux<DataBuffer>> file(String fleetId, String kind, TimeRange range, ExportFormat format,
                                                         Flux<DataBuffer> body) {
        String name = "tiltfleet_" + fleetId + "_" + kind + "_" + day(range.from()) + "_" + day(range.to()) + "." + format.extension();
        return ResponseEntity.ok()
                .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename(name).build().toString())
                .contentType(format.mediaType())
                .body(body);
    }

    private static LocalDate day(Instant instant) {
        return LocalDate.ofInstant(instant, ZoneOffset.UTC);
    }
}
