package io.tiltfleet.analytics.usage;

import io.tiltfleet.analytics.sessions.QuarterSlice;
import io.tiltfleet.analytics.sessions.SessionDocument;
import io.tiltfleet.analytics.sessions.SessionStore;
import io.tiltfleet.analytics.zones.FleetZones;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Usage reports and the fleet summary, in the fleet's time zone or one the caller names. The fleet's own zone is read
 * from the stored rollups; another is summed from the sessions' quarter-hour slices, which any zone's hours add up to.
 */
@Component
public class UsageReports {

    private static final int TOP_TABLES = 5;

    private final RollupStore rollups;
    private final SessionStore sessions;
    private final FleetZones zones;

    UsageReports(RollupStore rollups, SessionStore sessions, FleetZones zones) {
        this.rollups = rollups;
        this.sessions = sessions;
        this.zones = zones;
    }

    /** Every period that overlaps [from, to), with zeros where nothing happened. */
    public Mono<UsageReport> report(String fleetId, String tableId, Granularity granularity, ZoneId zone, Instant from, Instant to) {
        Instant first = granularity.periodOf(from, zone);
        return usageByPeriod(fleetId, tableId, granularity, zone, first, to).map(usage -> new UsageReport(fleetId, tableId, granularity,
                FleetZones.nameOf(zone), from, to, UsagePeriod.series(usage, granularity, zone, first, to)));
    }

    public Mono<FleetSummary> summary(String fleetId, LocalDate day, ZoneId zone) {
        Instant dayStart = day.atStartOfDay(zone).toInstant();
        Instant weekStart = day.minusDays(6).atStartOfDay(zone).toInstant();
        Instant dayEnd = Granularity.DAY.next(dayStart, zone);
        Mono<List<UsagePeriod>> week = usageByPeriod(fleetId, null, Granularity.DAY, zone, weekStart, dayEnd)
                .map(usage -> UsagePeriod.series(usage, Granularity.DAY, zone, weekStart, dayEnd));
        Mono<List<FleetSummary.TableUsage>> top = tablesUsage(fleetId, Granularity.DAY, zone, dayStart, dayEnd)
                .map(table -> {
                    UsagePeriod usage = UsagePeriod.of(dayStart, Granularity.DAY, zone, table.usage());
                    return new FleetSummary.TableUsage(table.tableId(), usage.sessions(), usage.invertedMinutes(), usage.therapeuticShare());
                })
                .sort(Comparator.comparingDouble(FleetSummary.TableUsage::invertedMinutes).reversed()
                        .thenComparing(FleetSummary.TableUsage::tableId))
                .take(TOP_TABLES).collectList();
        return Mono.zip(week, top, (days, tables) -> new FleetSummary(fleetId, day, FleetZones.nameOf(zone), days.get(days.size() - 1), days,
                tables));
    }

    private record TableUsage(String tableId, Instant period, Usage usage) {
    }

    private boolean isFleetZone(String fleetId, ZoneId zone) {
        return zones.zoneOf(fleetId).equals(zone);
    }

    /** The fleet's (tableId null) or one table's usage per period beginning in [first, to). */
    private Mono<Map<Instant, Usage>> usageByPeriod(String fleetId, String tableId, Granularity granularity, ZoneId zone, Instant first,
                                                    Instant to) {
        if (isFleetZone(fleetId, zone)) {
            return rollups.find(new UsageQuery(fleetId, tableId, false, granularity, zone, first, to))
                    .collectMap(RollupDocument::periodStart, RollupDocument::usage);
        }
        return fromSessions(fleetId, tableId, granularity, zone, first, to)
                .collectMultimap(TableUsage::period, TableUsage::usage)
                .map(byPeriod -> {
                    Map<Instant, Usage> usage = new TreeMap<>();
                    byPeriod.forEach((period, tables) -> usage.put(period, Usage.ofTables(tables)));
                    return usage;
                });
    }

    /** Each table's usage in each period beginning in [first, to). */
    private Flux<TableUsage> tablesUsage(String fleetId, Granularity granularity, ZoneId zone, Instant first, Instant to) {
        if (isFleetZone(fleetId, zone)) {
            return rollups.find(new UsageQuery(fleetId, null, true, granularity, zone, first, to))
                    .map(table -> new TableUsage(table.tableId(), table.periodStart(), table.usage()));
        }
        return fromSessions(fleetId, null, granularity, zone, first, to);
    }

    private Flux<TableUsage> fromSessions(String fleetId, String tableId, Granularity granularity, ZoneId zone, Instant first, Instant to) {
        return sessions.withSlicesBetween(fleetId, tableId, first, to).collectList().flatMapIterable(stored -> {
            Map<String, List<QuarterSlice>> slicesByTable = stored.stream().collect(Collectors.groupingBy(SessionDocument::tableId, HashMap::new,
                    Collectors.flatMapping(session -> session.slices().stream()
                            .filter(slice -> !slice.start().isBefore(first) && slice.start().isBefore(to)), Collectors.toList())));
            List<TableUsage> usage = new ArrayList<>();
            slicesByTable.forEach((table, slices) -> Usage.ofTablePeriods(slices, granularity, zone)
                    .forEach((period, periodUsage) -> usage.add(new TableUsage(table, period, periodUsage))));
            return usage;
        });
    }
}
