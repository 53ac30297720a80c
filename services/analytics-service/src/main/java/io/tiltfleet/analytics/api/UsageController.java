package io.tiltfleet.analytics.api;

import io.tiltfleet.analytics.AnalyticsProperties;
import io.tiltfleet.analytics.sites.SiteUsage;
import io.tiltfleet.analytics.usage.FleetSummary;
import io.tiltfleet.analytics.usage.Granularity;
import io.tiltfleet.analytics.usage.UsageReport;
import io.tiltfleet.analytics.usage.UsageReports;
import io.tiltfleet.contract.Ids;
import jakarta.validation.constraints.Pattern;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** Usage of a fleet or of one table, hour by hour or day by day, and the fleet summary for dashboards. */
@RestController
@RequestMapping("/api/analytics/fleets/{fleetId}")
class UsageController {

    private static final Duration LONGEST_DAILY = Duration.ofDays(3660);
    /** Every table's rollups of the range are read and summed in memory: 92 days of 1,000 tables are 92,000 of them. */
    private static final Duration LONGEST_BY_SITE = Duration.ofDays(92);

    private final UsageReports reports;
    private final SiteUsage sites;
    private final AnalyticsProperties properties;
    private final Clock clock;

    UsageController(UsageReports reports, SiteUsage sites, AnalyticsProperties properties, Clock clock) {
        this.reports = reports;
        this.sites = sites;
        this.properties = properties;
        this.clock = clock;
    }

    @GetMapping("/usage")
    Mono<UsageReport> fleetUsage(@PathVariable @Pattern(regexp = Ids.PATTERN) String fleetId,
                                 @RequestParam(defaultValue = "DAY") Granularity granularity,
                                 @RequestParam(required = false) Instant from, @RequestParam(required = false) Instant to) {
        TimeRange range = range(granularity, from, to);
        return reports.report(fleetId, null, granularity, range.from(), range.to());
    }

    /** The fleet's usage per site, by the site each table is registered at now; tables without one come last, as site null. */
    @GetMapping("/usage/sites")
    Mono<SiteUsage.FleetSitesReport> siteUsage(@PathVariable @Pattern(regexp = Ids.PATTERN) String fleetId,
                                               @RequestParam(defaultValue = "DAY") Granularity granularity,
                                               @RequestParam(required = false) Instant from, @RequestParam(required = false) Instant to) {
        TimeRange range = range(granularity, from, to).atMost(LONGEST_BY_SITE, "ask for fewer days: usage by site sums every table's rollups");
        return sites.report(fleetId, granularity, range.from(), range.to());
    }

    @GetMapping("/tables/{tableId}/usage")
    Mono<UsageReport> tableUsage(@PathVariable @Pattern(regexp = Ids.PATTERN) String fleetId,
                                 @PathVariable @Pattern(regexp = Ids.PATTERN) String tableId,
                                 @RequestParam(defaultValue = "DAY") Granularity granularity,
                                 @RequestParam(required = false) Instant from, @RequestParam(required = false) Instant to) {
        TimeRange range = range(granularity, from, to);
        return reports.report(fleetId, tableId, granularity, range.from(), range.to());
    }

    @GetMapping("/summary")
    Mono<FleetSummary> summary(@PathVariable @Pattern(regexp = Ids.PATTERN) String fleetId,
                               @RequestParam(required = false) LocalDate day) {
        return reports.summary(fleetId, day == null ? LocalDate.now(clock.withZone(ZoneOffset.UTC)) : day);
    }

    /** By default the last 7 days, or the last 24 hours hour by hour. */
    private TimeRange range(Granularity granularity, Instant from, Instant to) {
        Instant end = granularity.next(granularity.periodOf(clock.instant()));
        Duration span = granularity == Granularity.HOUR ? Duration.ofHours(24) : Duration.ofDays(7);
        TimeRange range = TimeRange.of(from, to, (to == null ? end : to).minus(span), end);
        return granularity == Granularity.HOUR
                ? range.atMost(properties.maxHourlyRange(), "ask for granularity=DAY, or export the hourly rollups")
                : range.atMost(LONGEST_DAILY, "export the daily rollups instead");
    }
}
