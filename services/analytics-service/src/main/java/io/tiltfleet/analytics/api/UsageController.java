package io.tiltfleet.analytics.api;

import io.tiltfleet.analytics.AnalyticsProperties;
import io.tiltfleet.analytics.sites.SiteUsage;
import io.tiltfleet.analytics.usage.FleetSummary;
import io.tiltfleet.analytics.usage.FleetTimeZones;
import io.tiltfleet.analytics.usage.Granularity;
import io.tiltfleet.analytics.usage.UsageReport;
import io.tiltfleet.analytics.usage.UsageReports;
import io.tiltfleet.analytics.zones.FleetZones;
import io.tiltfleet.contract.Ids;
import io.tiltfleet.exports.LocalTimes;
import jakarta.validation.constraints.Pattern;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;

/**
 * Usage of a fleet or of one table, hour by hour or day by day, and the fleet summary for dashboards, in the local
 * hours and days of the fleet's time zone, or of the zone a request names with {@code tz}.
 */
@RestController
@RequestMapping("/api/analytics/fleets/{fleetId}")
class UsageController {

    private static final Duration LONGEST_DAILY = Duration.ofDays(3660);
    /** Every table's rollups of the range are read and summed in memory: 92 days of 1,000 tables are 92,000 of them. */
    private static final Duration LONGEST_BY_SITE = Duration.ofDays(92);
    /** Another zone than the fleet's is summed from the sessions of the range, not read from rollups. */
    private static final Duration LONGEST_IN_OTHER_ZONE = Duration.ofDays(31);

    private final UsageReports reports;
    private final SiteUsage sites;
    private final FleetZones zones;
    private final AnalyticsProperties properties;
    private final Clock clock;

    UsageController(UsageReports reports, SiteUsage sites, FleetZones zones, AnalyticsProperties properties, Clock clock) {
        this.reports = reports;
        this.sites = sites;
        this.zones = zones;
        this.properties = properties;
        this.clock = clock;
    }

    @GetMapping("/usage")
    Mono<UsageReport> fleetUsage(@PathVariable @Pattern(regexp = Ids.PATTERN) String fleetId,
                                 @RequestParam(defaultValue = "DAY") Granularity granularity,
                                 @RequestParam(required = false) String from, @RequestParam(required = false) String to,
                                 @RequestParam(required = false) String tz) {
        return usage(fleetId, null, granularity, from, to, tz);
    }

    /** The fleet's usage per site, by the site each table is registered at now; tables without one come last, as site null. */
    @GetMapping("/usage/sites")
    Mono<SiteUsage.FleetSitesReport> siteUsage(@PathVariable @Pattern(regexp = Ids.PATTERN) String fleetId,
                                               @RequestParam(defaultValue = "DAY") Granularity granularity,
                                               @RequestParam(required = false) String from, @RequestParam(required = false) String to) {
        return zones.whenRead().then(Mono.defer(() -> {
            UsageReports.ReportZone in = zoneOf(fleetId, null);
            TimeRange range = range(granularity, in, from, to).atMost(LONGEST_BY_SITE, "ask for fewer days: usage by site sums every table's rollups");
            return sites.report(fleetId, granularity, in.zone(), range.from(), range.to());
        }));
    }

    @GetMapping("/tables/{tableId}/usage")
    Mono<UsageReport> tableUsage(@PathVariable @Pattern(regexp = Ids.PATTERN) String fleetId,
                                 @PathVariable @Pattern(regexp = Ids.PATTERN) String tableId,
                                 @RequestParam(defaultValue = "DAY") Granularity granularity,
                                 @RequestParam(required = false) String from, @RequestParam(required = false) String to,
                                 @RequestParam(required = false) String tz) {
        return usage(fleetId, tableId, granularity, from, to, tz);
    }

    @GetMapping("/summary")
    Mono<FleetSummary> summary(@PathVariable @Pattern(regexp = Ids.PATTERN) String fleetId,
                               @RequestParam(required = false) LocalDate day, @RequestParam(required = false) String tz) {
        if (day != null && (day.getYear() < 1970 || day.getYear() > 9999)) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "day: " + day + " is not a day between the years 1970 and 9999");
        }
        return zones.whenRead().then(Mono.defer(() -> {
            UsageReports.ReportZone in = zoneOf(fleetId, tz);
            return reports.summary(fleetId, day == null ? LocalDate.now(clock.withZone(in.zone())) : day, in);
        }));
    }

    /** Answered once the fleets' zones are read: a report must not be cut in UTC for a fleet whose zone is not known yet. */
    private Mono<UsageReport> usage(String fleetId, String tableId, Granularity granularity, String from, String to, String tz) {
        return zones.whenRead().then(Mono.defer(() -> {
            UsageReports.ReportZone in = zoneOf(fleetId, tz);
            TimeRange range = range(granularity, in, from, to);
            if (!in.fleets()) {
                range = range.atMost(LONGEST_IN_OTHER_ZONE, "ask for fewer days, or leave tz out for the fleet's own time zone ("
                        + FleetTimeZones.nameOf(zones.zoneOf(fleetId)) + ")");
            }
            return reports.report(fleetId, tableId, granularity, in, range.from(), range.to());
        }));
    }

    private UsageReports.ReportZone zoneOf(String fleetId, String tz) {
        ZoneId fleets = zones.zoneOf(fleetId);
        ZoneId zone = LocalTimes.zone(tz, fleets);
        return new UsageReports.ReportZone(zone, zone.equals(fleets));
    }

    /** By default the last 7 local days up to today's end, or the last 24 hours hour by hour; a local day given stands for its start. */
    private TimeRange range(Granularity granularity, UsageReports.ReportZone in, String fromText, String toText) {
        ZoneId zone = in.zone();
        Instant from = LocalTimes.instantOf("from", fromText, zone);
        Instant to = LocalTimes.instantOf("to", toText, zone);
        Instant end = granularity.next(granularity.periodOf(clock.instant(), zone), zone);
        Instant last = to == null ? end : to;
        Instant defaultFrom = granularity == Granularity.HOUR ? last.minus(24, ChronoUnit.HOURS) : last.atZone(zone).minusDays(7).toInstant();
        TimeRange range = TimeRange.of(from, to, defaultFrom, end);
        return granularity == Granularity.HOUR
                ? range.atMost(properties.maxHourlyRange(), "ask for granularity=DAY, or export the hourly rollups")
                : range.atMost(LONGEST_DAILY, "export the daily rollups instead");
    }
}
