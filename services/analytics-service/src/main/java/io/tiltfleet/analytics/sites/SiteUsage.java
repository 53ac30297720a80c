package io.tiltfleet.analytics.sites;

import io.tiltfleet.analytics.usage.FleetTimeZones;
import io.tiltfleet.analytics.usage.Granularity;
import io.tiltfleet.analytics.usage.RollupDocument;
import io.tiltfleet.analytics.usage.RollupStore;
import io.tiltfleet.analytics.usage.Usage;
import io.tiltfleet.analytics.usage.UsagePeriod;
import io.tiltfleet.analytics.usage.UsageQuery;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/** A fleet's usage per site: its tables' rollups summed by the site the registry gives each table now. */
@Component
public class SiteUsage {

    private final RollupStore rollups;
    private final TableSites sites;

    SiteUsage(RollupStore rollups, TableSites sites) {
        this.rollups = rollups;
        this.sites = sites;
    }

    /**
     * @param site    null for the tables without one (not registered, or registered without a site)
     * @param periods every period that overlaps the range, with zeros where nothing happened
     */
    public record SiteReport(String site, List<UsagePeriod> periods) {
    }

    /**
     * @param timeZone the fleet's, whose hours or days the periods are
     * @param sites    by site name, the tables without a site last
     */
    public record FleetSitesReport(String fleetId, Granularity granularity, String timeZone, Instant from, Instant to, List<SiteReport> sites) {
    }

    public Mono<FleetSitesReport> report(String fleetId, Granularity granularity, ZoneId zone, Instant from, Instant to) {
        Instant first = granularity.periodOf(from, zone);
        return rollups.find(new UsageQuery(fleetId, null, true, granularity, zone, first, to)).collectList().map(tableRollups -> {
            Map<String, Map<Instant, List<Usage>>> bySite = new HashMap<>();
            for (RollupDocument table : tableRollups) {
                bySite.computeIfAbsent(sites.siteOf(fleetId, table.tableId()), site -> new HashMap<>())
                        .computeIfAbsent(table.periodStart(), period -> new ArrayList<>()).add(table.usage());
            }
            List<SiteReport> reports = new ArrayList<>();
            bySite.forEach((site, tables) -> {
                Map<Instant, Usage> summed = new HashMap<>();
                tables.forEach((period, usage) -> summed.put(period, Usage.ofTables(usage)));
                reports.add(new SiteReport(site, UsagePeriod.series(summed, granularity, zone, first, to)));
            });
            reports.sort(Comparator.comparing(SiteReport::site, Comparator.nullsLast(Comparator.naturalOrder())));
            return new FleetSitesReport(fleetId, granularity, FleetTimeZones.nameOf(zone), from, to, reports);
        });
    }
}
