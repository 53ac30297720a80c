package io.tiltfleet.analytics.safety;

import io.tiltfleet.analytics.usage.Usage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * A fleet's safety figures over a range of its local days: the fleet's, each site's (by where its tables are registered
 * now; tables without a site as site null, last) and each table's.
 */
public record SafetyReport(String fleetId, String timeZone, Instant from, Instant to, SafetyFigures fleet, List<Site> sites,
                           List<Table> tables) {

    public record Site(String site, SafetyFigures figures) {
    }

    public record Table(String tableId, String site, SafetyFigures figures) {
    }

    /**
     * @param usageByTable  each table's usage over the range
     * @param alertsByTable the alerts each table raised in it
     * @param siteOf        where a table stands now; null for none
     */
    public static SafetyReport of(String fleetId, String timeZone, Instant from, Instant to, Map<String, Usage> usageByTable,
                                  Map<String, ? extends Collection<AlertFact>> alertsByTable, Function<String, String> siteOf) {
        TreeSet<String> tableIds = new TreeSet<>(usageByTable.keySet());
        tableIds.addAll(alertsByTable.keySet());
        List<Table> tables = new ArrayList<>();
        Map<String, List<Usage>> usageBySite = new HashMap<>();
        Map<String, List<AlertFact>> alertsBySite = new HashMap<>();
        for (String tableId : tableIds) {
            Usage usage = usageByTable.getOrDefault(tableId, Usage.NONE);
            Collection<AlertFact> alerts = alertsByTable.containsKey(tableId) ? alertsByTable.get(tableId) : List.of();
            String site = siteOf.apply(tableId);
            tables.add(new Table(tableId, site, SafetyFigures.of(usage, alerts)));
            usageBySite.computeIfAbsent(site, s -> new ArrayList<>()).add(usage);
            alertsBySite.computeIfAbsent(site, s -> new ArrayList<>()).addAll(alerts);
        }
        List<Site> sites = new ArrayList<>();
        usageBySite.forEach((site, usage) -> sites.add(new Site(site, SafetyFigures.of(Usage.ofTables(usage), alertsBySite.get(site)))));
        sites.sort(Comparator.comparing(Site::site, Comparator.nullsLast(Comparator.naturalOrder())));
        SafetyFigures fleet = SafetyFigures.of(Usage.ofTables(usageByTable.values()),
                alertsByTable.values().stream().flatMap(Collection::stream).toList());
        return new SafetyReport(fleetId, timeZone, from, to, fleet, sites, tables);
    }
}
