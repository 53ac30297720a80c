package io.tiltfleet.safety.api;

import io.micrometer.core.instrument.MeterRegistry;
import io.tiltfleet.contract.Ids;
import io.tiltfleet.exports.Column;
import io.tiltfleet.exports.ExportFormat;
import io.tiltfleet.exports.LocalTimes;
import io.tiltfleet.exports.StreamedExports;
import io.tiltfleet.safety.alerts.Alert;
import io.tiltfleet.safety.alerts.AlertQuery;
import io.tiltfleet.safety.alerts.AlertStore;
import io.tiltfleet.safety.limits.FleetConfig;
import io.tiltfleet.safety.limits.FleetConfigLog;
import io.tiltfleet.safety.rules.AlertType;
import io.tiltfleet.safety.rules.Severity;
import jakarta.validation.constraints.Pattern;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
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
import tools.jackson.databind.json.JsonMapper;

/**
 * A fleet's alerts as a CSV or NDJSON file, streamed, the first raised first, with how long each took to be acknowledged
 * and to clear: what a safety committee reviews. The same conventions as the analytics' exports: times in UTC and in the
 * fleet's time zone (or {@code tz}), a range in instants or local days, text kept from spreadsheets' formulas in CSV. The time
 * to acknowledge runs from the raise to the last acknowledgement: an escalation asks for a new one.
 */
@RestController
@RequestMapping("/api/fleets/{fleetId}/alerts/export")
class AlertExportController {

    private static final int FETCH_SIZE = 1000;
    private static final int CHUNK_ROWS = 500;

    private final AlertStore alerts;
    private final FleetConfig config;
    private final FleetConfigLog configLog;
    private final StreamedExports exports;
    private final Clock clock;

    AlertExportController(AlertStore alerts, FleetConfig config, FleetConfigLog configLog, JsonMapper json, MeterRegistry registry, Clock clock) {
        this.alerts = alerts;
        this.config = config;
        this.configLog = configLog;
        this.exports = new StreamedExports(json, registry, "tiltfleet.safety.export");
        this.clock = clock;
    }

    @GetMapping
    Mono<ResponseEntity<Flux<DataBuffer>>> export(@PathVariable @Pattern(regexp = Ids.PATTERN) String fleetId,
                                                  @RequestParam(required = false) @Pattern(regexp = Ids.PATTERN) String tableId,
                                                  @RequestParam(required = false) AlertType type,
                                                  @RequestParam(required = false) Severity severity,
                                                  @RequestParam(required = false) String from, @RequestParam(required = false) String to,
                                                  @RequestParam(defaultValue = "CSV") ExportFormat format,
                                                  @RequestParam(required = false) String tz) {
        // the fleet's zone is its settings': read once the configuration log is
        return configLog.whenCaughtUp().then(Mono.fromCallable(() -> {
            String fleetZone = config.settingsOf(fleetId).timeZone();
            ZoneId zone = LocalTimes.zone(tz, fleetZone == null ? ZoneOffset.UTC : ZoneId.of(fleetZone).normalized());
            Instant start = LocalTimes.instantOf("from", from, zone);
            Instant end = LocalTimes.instantOf("to", to, zone);
            Instant first = start == null ? Instant.EPOCH : start;
            Instant last = end == null ? clock.instant().plusSeconds(1) : end;
            if (!first.isBefore(last)) {
                throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "'from' (" + first + ") must be before 'to' (" + last + ")");
            }
            Flux<Alert> rows = alerts.forExport(new AlertQuery(fleetId, tableId, null, type, severity, first, last, 0, 0), FETCH_SIZE);
            String name = "tiltfleet_" + fleetId + "_alerts_" + LocalDate.ofInstant(first, zone) + "_" + LocalDate.ofInstant(last, zone) + "."
                    + format.extension();
            return ResponseEntity.ok()
                    .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename(name).build().toString())
                    .contentType(format.mediaType())
                    .body(exports.write("alerts", format, columns(zone), rows, CHUNK_ROWS));
        }));
    }

    /** The columns in file order; docs/safety-alert-service.md documents each. */
    static List<Column<Alert>> columns(ZoneId zone) {
        return List.of(
                Column.of("alert_id", Alert::id),
                Column.of("fleet_id", Alert::fleetId),
                Column.of("table_id", Alert::tableId),
                Column.of("location", Alert::location),
                Column.of("type", Alert::type),
                Column.of("severity", Alert::severity),
                Column.of("state", Alert::state),
                Column.of("reason", Alert::reason),
                Column.of("raised_at", Alert::raisedAt),
                Column.of("raised_at_local", alert -> LocalTimes.text(alert.raisedAt(), zone)),
                Column.of("acknowledged_at", Alert::acknowledgedAt),
                Column.of("acknowledged_by", Alert::acknowledgedBy),
                Column.decimal("time_to_acknowledge_s", alert -> secondsFromRaised(alert, alert.acknowledgedAt())),
                Column.of("cleared_at", Alert::clearedAt),
                Column.decimal("time_to_clear_s", alert -> secondsFromRaised(alert, alert.clearedAt())));
    }

    private static Double secondsFromRaised(Alert alert, Instant then) {
        return then == null ? null : Duration.between(alert.raisedAt(), then).toMillis() / 1000.0;
    }
}
