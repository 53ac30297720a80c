package io.tiltfleet.analytics.safety;

import io.tiltfleet.analytics.sites.TableSites;
import io.tiltfleet.analytics.usage.FleetTimeZones;
import io.tiltfleet.analytics.usage.Granularity;
import io.tiltfleet.analytics.usage.RollupDocument;
import io.tiltfleet.analytics.usage.RollupStore;
import io.tiltfleet.analytics.usage.Usage;
import io.tiltfleet.analytics.usage.UsageQuery;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/** A fleet's safety report over whole local days: its tables' daily rollups and the alerts they raised. */
@Component
class SafetyReports {

    private final RollupStore rollups;
    private final AlertFacts alerts;
    private final TableSites sites;

    SafetyReports(RollupStore rollups, AlertFacts alerts, TableSites sites) {
        this.rollups = rollups;
        this.alerts = alerts;
        this.sites = sites;
    }

    /** Over the local days [from, to) of the fleet's zone: a day begun is counted whole. */
    Mono<SafetyReport> report(String fleetId, ZoneId zone, Instant from, Instant to) {
        Instant first = Granularity.DAY.periodOf(from, zone);
        Instant lastDay = Granularity.DAY.periodOf(to, zone);
        Instant end = lastDay.isBefore(to) ? Granularity.DAY.next(lastDay, zone) : lastDay;
        Mono<Map<String, Usage>> usage = rollups.find(new UsageQuery(fleetId, null, true, Granularity.DAY, zone, first, end))
                .collectMultimap(RollupDocument::tableId, RollupDocument::usage)
                .map(days -> {
                    Map<String, Usage> byTable = new HashMap<>();
                    days.forEach((table, tableDays) -> byTable.put(table, Usage.ofSameTable(tableDays)));
                    return byTable;
                });
        Mono<Map<String, Collection<AlertFact>>> raised = alerts.raisedBetween(fleetId, first, end).collectMultimap(AlertFact::tableId);
        return Mono.zip(usage, raised, (tableUsage, tableAlerts) -> SafetyReport.of(fleetId, FleetTimeZones.nameOf(zone), first, end,
                tableUsage, tableAlerts, tableId -> sites.siteOf(fleetId, tableId)));
    }
}
