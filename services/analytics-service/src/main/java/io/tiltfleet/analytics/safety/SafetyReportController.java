package io.tiltfleet.analytics.safety;

import io.tiltfleet.analytics.api.TimeRange;
import io.tiltfleet.analytics.usage.FleetTimeZones;
import io.tiltfleet.analytics.usage.Granularity;
import io.tiltfleet.contract.Ids;
import io.tiltfleet.exports.LocalTimes;
import jakarta.validation.constraints.Pattern;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** Per table and site: sessions, minutes inverted and above 60 degrees, alerts per 100 sessions, how soon criticals were acknowledged. */
@RestController
class SafetyReportController {

    /** Every table's daily rollups of the range are read and summed in memory, as for usage by site. */
    private static final Duration LONGEST = Duration.ofDays(92);

    private final SafetyReports reports;
    private final FleetTimeZones zones;
    private final Clock clock;

    SafetyReportController(SafetyReports reports, FleetTimeZones zones, Clock clock) {
        this.reports = reports;
        this.zones = zones;
        this.clock = clock;
    }

    /** By default the last 30 local days up to today's end; from and to as instants or local days of the fleet's zone. */
    @GetMapping("/api/analytics/fleets/{fleetId}/safety-report")
    Mono<SafetyReport> report(@PathVariable @Pattern(regexp = Ids.PATTERN) String fleetId,
                              @RequestParam(required = false) String from, @RequestParam(required = false) String to) {
        return zones.whenRead().then(Mono.defer(() -> {
            ZoneId zone = zones.zoneOf(fleetId);
            Instant end = Granularity.DAY.next(Granularity.DAY.periodOf(clock.instant(), zone), zone);
            Instant last = LocalTimes.instantOf("to", to, zone);
            TimeRange range = TimeRange.of(LocalTimes.instantOf("from", from, zone), last, (last == null ? end : last).atZone(zone).minusDays(30)
                    .toInstant(), end).atMost(LONGEST, "ask for fewer days");
            return reports.report(fleetId, zone, range.from(), range.to());
        }));
    }
}
