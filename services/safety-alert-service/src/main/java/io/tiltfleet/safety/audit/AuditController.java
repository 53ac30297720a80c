package io.tiltfleet.safety.audit;

import io.tiltfleet.contract.Ids;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Flux;
import tools.jackson.databind.json.JsonMapper;

/** A fleet's audit trail, read a page at a time or exported whole; it has no way to change an entry. */
@RestController
@RequestMapping("/api/fleets/{fleetId}/audit")
class AuditController {

    /**
     * What the trail records: the configuration log's kinds, acknowledgements, the notification service's policy changes and a
     * fleet's data removed on request.
     */
    private static final String WHAT = "settings|profile|maintenance|check-in|registry|credentials|acknowledgement|notification-policy|fleet-data";
    private static final String WHAT_MESSAGE = "what must be settings, profile, maintenance, check-in, registry, credentials, acknowledgement, "
            + "notification-policy or fleet-data";
    private static final String[] CSV_COLUMNS = {"at", "by", "what", "tableId", "reason", "before", "after", "id"};
    private static final CSVFormat RFC_4180 = CSVFormat.RFC4180.builder().setNullString("").get();
    private static final MediaType CSV = new MediaType("text", "csv", StandardCharsets.UTF_8);

    private final AuditLog audit;
    private final JsonMapper json;

    AuditController(AuditLog audit, JsonMapper json) {
        this.audit = audit;
        this.json = json;
    }

    /** Newest first. */
    @GetMapping
    Flux<AuditEntry> search(@PathVariable @Pattern(regexp = Ids.PATTERN) String fleetId,
                            @RequestParam(required = false) @Pattern(regexp = WHAT, message = WHAT_MESSAGE) String what,
                            @RequestParam(required = false) @Pattern(regexp = Ids.PATTERN) String tableId,
                            @RequestParam(required = false) @Size(max = 100) String by,
                            @RequestParam(required = false) Instant from,
                            @RequestParam(required = false) Instant to,
                            @RequestParam(defaultValue = "0") @Min(0) @Max(1000) int page,
                            @RequestParam(defaultValue = "100") @Min(1) @Max(1000) int size) {
        return audit.search(query(fleetId, what, tableId, by, from, to), page, size);
    }

    /** Oldest first, streamed as the client reads: CSV (before and after as JSON in their cells) or one JSON object per line. */
    @GetMapping("/export")
    ResponseEntity<Flux<String>> export(@PathVariable @Pattern(regexp = Ids.PATTERN) String fleetId,
                                        @RequestParam(defaultValue = "csv") @Pattern(regexp = "csv|ndjson", message = "format must be csv or ndjson") String format,
                                        @RequestParam(required = false) @Pattern(regexp = WHAT, message = WHAT_MESSAGE) String what,
                                        @RequestParam(required = false) @Pattern(regexp = Ids.PATTERN) String tableId,
                                        @RequestParam(required = false) @Size(max = 100) String by,
                                        @RequestParam(required = false) Instant from,
                                        @RequestParam(required = false) Instant to) {
        Flux<AuditEntry> entries = audit.all(query(fleetId, what, tableId, by, from, to));
        boolean csv = format.equals("csv");
        Flux<String> body = csv ? Flux.just(csvLine((Object[]) CSV_COLUMNS)).concatWith(entries.map(this::csvRow))
                : entries.map(entry -> json.writeValueAsString(entry) + "\n");
        return ResponseEntity.ok().contentType(csv ? CSV : MediaType.APPLICATION_NDJSON)
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"audit-" + fleetId + "." + format + "\"").body(body);
    }

    private static AuditQuery query(String fleetId, String what, String tableId, String by, Instant from, Instant to) {
        if (from != null && to != null && !from.isBefore(to)) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "'from' must be before 'to'");
        }
        return new AuditQuery(fleetId, what, tableId, by, from, to);
    }

    private String csvRow(AuditEntry entry) {
        return csvLine(entry.at(), inert(entry.by()), entry.what(), entry.tableId(), inert(entry.reason()), jsonOf(entry.before()),
                jsonOf(entry.after()), entry.id());
    }

    /** Free text a spreadsheet would take for a formula (=, +, -, @ first) is kept as text. */
    private static String inert(String text) {
        return text != null && !text.isEmpty() && "=+-@".indexOf(text.charAt(0)) >= 0 ? "'" + text : text;
    }

    private String jsonOf(Map<String, Object> fields) {
        return fields == null ? null : json.writeValueAsString(fields);
    }

    private static String csvLine(Object... values) {
        StringWriter line = new StringWriter();
        try (CSVPrinter printer = new CSVPrinter(line, RFC_4180)) {
            printer.printRecord(values);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write CSV to memory", e);
        }
        return line.toString();
    }
}
