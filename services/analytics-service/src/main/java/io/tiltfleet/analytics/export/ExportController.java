package io.tiltfleet.analytics.export;

import io.tiltfleet.analytics.AnalyticsProperties;
import io.tiltfleet.analytics.api.TimeRange;
import io.tiltfleet.analytics.sessions.SessionFilter;
import io.tiltfleet.analytics.sessions.SessionStore;
import io.tiltfleet.analytics.sessions.SessionSummary;
import io.tiltfleet.analytics.usage.FleetTimeZones;
import io.tiltfleet.analytics.usage.Granularity;
import io.tiltfleet.analytics.usage.RollupStore;
import io.tiltfleet.analytics.usage.UsageQuery;
import io.tiltfleet.analytics.zones.FleetZones;
import io.tiltfleet.contract.Ids;
import io.tiltfleet.exports.ExportFormat;
import io.tiltfleet.exports.LocalTimes;
import io.tiltfleet.exports.StreamedExports;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Sessions and usage rollups of a fleet as CSV or NDJSON files, streamed, for any range. Times are given in UTC and in
 * the fleet's time zone (or, for sessions, the one {@code tz} names). The file name is built from the validated fleet id
 * and the range's local days, never from free text.
 */
@RestController
@RequestMapping("/api/analytics/fleets/{fleetId}/exports")
class ExportController {

    private final SessionStore sessions;
    private final RollupStore rollups;
    private final StreamedExports exporter;
    private final FleetZones zones;
    private final AnalyticsProperties properties;
    private final Clock clock;

    ExportController(SessionStore sessions, RollupStore rollups, StreamedExports exporter, FleetZones zones, AnalyticsProperties properties,
                     Clock clock) {
        this.sessions = sessions;
        this.rollups = rollups;
        this.exporter = exporter;
        this.zones = zones;
        this.properties = properties;
        this.clock = clock;
    }

    @GetMapping("/sessions")
    Mono<ResponseEntity<Flux<DataBuffer>>> sessions(@PathVariable @Pattern(regexp = Ids.PATTERN) String fleetId,
                                              @RequestParam(required = false) @Pattern(regexp = Ids.PATTERN) String tableId,
                                              @RequestParam(required = false) String from, @RequestParam(required = false) String to,
                                              @RequestParam(required = false) @Min(0) Double minDurationS,
                                              @RequestParam(required = false) @Min(-90) @Max(90) Double minMaxAngleDeg,
                                              @RequestParam(required = false) SessionSummary.EndReason endedBy,
                                              @RequestParam(defaultValue = "CSV") ExportFormat format,
                                              @RequestParam(required = false) String tz) {
        return zones.whenRead().then(Mono.fromCallable(() -> {
            ZoneId zone = LocalTimes.zone(tz, zones.zoneOf(fleetId));
            TimeRange range = range(from, to, zone);
            SessionFilter filter = new SessionFilter(fleetId, tableId, range.from(), range.to(), minDurationS, minMaxAngleDeg, endedBy);
            return file(fleetId, "sessions", range, zone, format, exporter.write("sessions", format, ExportColumns.sessions(zone),
                    sessions.forExport(filter, properties.exportFetchSize()), properties.exportChunkRows()));
        }));
    }

    /**
     * @param tables with true, every table's own rollups of the fleet (or the one {@code tableId});
     *               with false, the fleet's
     * @param tz     only the fleet's own time zone: the rollups are cut in it (the usage API sums others)
     */
    @GetMapping("/usage")
    Mono<ResponseEntity<Flux<DataBuffer>>> usage(@PathVariable @Pattern(regexp = Ids.PATTERN) String fleetId,
                                           @RequestParam(required = false) @Pattern(regexp = Ids.PATTERN) String tableId,
                                           @RequestParam(defaultValue = "false") boolean tables,
                                           @RequestParam(defaultValue = "DAY") Granularity granularity,
                                           @RequestParam(required = false) String from, @RequestParam(required = false) String to,
                                           @RequestParam(defaultValue = "CSV") ExportFormat format,
                                           @RequestParam(required = false) String tz) {
        return zones.whenRead().then(Mono.fromCallable(() -> {
            ZoneId zone = zones.zoneOf(fleetId);
            if (!LocalTimes.zone(tz, zone).equals(zone)) {
                throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "tz: usage exports are cut in the fleet's time zone ("
                        + FleetTimeZones.nameOf(zone) + "); leave tz out, or ask the usage API with tz for up to 31 days in another zone");
            }
            TimeRange range = range(from, to, zone);
            UsageQuery query = new UsageQuery(fleetId, tableId, tables && tableId == null, granularity, zone, range.from(), range.to());
            return file(fleetId, "usage-" + granularity.name().toLowerCase(), range, zone, format, exporter.write("usage", format,
                    ExportColumns.USAGE, rollups.stream(query, properties.exportFetchSize()), properties.exportChunkRows()));
        }));
    }

    /** Everything up to now unless the caller says otherwise; a local day given stands for its start in the zone. */
    private TimeRange range(String from, String to, ZoneId zone) {
        return TimeRange.of(LocalTimes.instantOf("from", from, zone), LocalTimes.instantOf("to", to, zone), Instant.EPOCH,
                clock.instant().plusSeconds(1));
    }

    private static ResponseEntity<Flux<DataBuffer>> file(String fleetId, String kind, TimeRange range, ZoneId zone, ExportFormat format,
                                                         Flux<DataBuffer> body) {
        String name = "tiltfleet_" + fleetId + "_" + kind + "_" + LocalDate.ofInstant(range.from(), zone) + "_"
                + LocalDate.ofInstant(range.to(), zone) + "." + format.extension();
        return ResponseEntity.ok()
                .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename(name).build().toString())
                .contentType(format.mediaType())
                .body(body);
    }
}
