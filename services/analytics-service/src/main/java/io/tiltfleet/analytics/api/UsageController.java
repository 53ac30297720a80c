package io.tiltfleet.analytics.api;

import io.tiltfleet.analytics.AnalyticsProperties;
import io.tiltfleet.analytics.sites.SiteUsage;
import io.tiltfleet.analytics.usage.FleetSummary;
import io.tiltfleet.analytics.usage.Granularity;
import io.tiltfleet.analytics.usage.UsageReport;
import io.tiltfleet.analytics.usage.UsageReports;
import io.tiltfleet.analytics.zones.FleetZones;
import io.tiltfleet.contract.Ids;
import jakarta.validation.constraints.Pattern;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
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
        ZoneId zone = RequestedZone.or(tz, zones.zoneOf(fleetId));
        TimeRange range = range(fleetId, granularity, zone, from, to);
        return reports.report(fleetId, null, granularity, zone, range.from(), range.to());
    }

    /** The fleet's usage per site, by the site each table is registered at now; tables without one come last, as site null. */
    @GetMapping("/usage/sites")
    Mono<SiteUsage.FleetSitesReport> siteUsage(@PathVariable @Pattern(regexp = Ids.PATTERN) String fleetId,
                                               @RequestParam(defaultValue = "DAY") Granularity granularity,
                                               @RequestParam(required = false) String from, @RequestParam(required = false) String to) {
        ZoneId zone = zones.zoneOf(fleetId);
        TimeRange range = range(fleetId, granularity, zone, from, to)
                .atMost(LONGEST_BY_SITE, "ask for fewer days: usage by site sums every table's rollups");
        return sites.report(fleetId, granularity, zone, range.from(), range.to());
    }

    @GetMapping("/tables/{tableId}/usage")
    Mono<UsageReport> tableUsage(@PathVariable @Pattern(regexp = Ids.PATTERN) String fleetId,
                                 @PathVariable @Pattern(regexp = Ids.PATTERN) String tableId,
                                 @RequestParam(defaultValue = "DAY") Granularity granularity,
                                 @RequestParam(required = false) String from, @RequestParam(required = false) String to,
                                 @RequestParam(required = false) String tz) {
        ZoneId zone = RequestedZone.or(tz, zones.zoneOf(fleetId));
        TimeRange range = range(fleetId, granularity, zone, from, to);
        return reports.report(fleetId, tableId, granularity, zone, range.from(), range.to());
    }

    @GetMapping("/summary")
    Mono<FleetSummary> summary(@PathVariable @Pattern(regexp = Ids.PATTERN) String fleetId,
                               @RequestParam(required = false) LocalDate day, @RequestParam(required = false) String tz) {
        ZoneId zone = RequestedZone.or(tz, zones.zoneOf(fleetId));
        return reports.summary(fleetId, day == null ? LocalDate.now(clock.withZone(zone)) : day, zone);
    }

    /** By default the last 7 local days up to today's end, or the last 24 hours hour by hour; a local day given stands for its start. */
    private TimeRange range(String fleetId, Granularity granularity, ZoneId zone, String fromText, String toText) {
        Instant from = TimeRange.instantOf("from", fromText, zone);
        Instant to = TimeRange.instantOf("to", toText, zone);
        Instant end = granularity.next(granularity.periodOf(clock.instant(), zone), zone);
        Instant last = to == null ? end : to;
        Instant defaultFrom = granularity == Granularity.HOUR ? last.minus(24, ChronoUnit.HOURS) : last.atZone(zone).minusDays(7).toInstant();
        TimeRange range = TimeRange.of(from, to, defaultFrom, end);
        if (!zone.equals(zones.zoneOf(fleetId))) {
            range = range.atMost(LONGEST_IN_OTHER_ZONE, "ask for fewer days, or leave tz out for the fleet's own time zone ("
                    + FleetZones.nameOf(zones.zoneOf(fleetId)) + ")");
        }
        return granularity == Granularity.HOUR
                ? range.atMost(properties.maxHourlyRange(), "ask for granularity=DAY, or export the hourly rollups")
                : range.atMost(LONGEST_DAILY, "export the daily rollups instead");
    }
}
