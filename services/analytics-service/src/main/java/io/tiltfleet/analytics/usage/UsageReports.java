package io.tiltfleet.analytics.usage;

import io.tiltfleet.analytics.sessions.SessionStore;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Usage reports and the fleet summary, in the fleet's time zone or one the caller names. The fleet's own zone is read
 * from the stored rollups; another is summed from the sessions' quarter-hour slices, which any zone's hours add up to:
 * the caller keeps that to short ranges.
 */
@Component
public class UsageReports {

    private static final int TOP_TABLES = 5;

    /** The longest a session is looked back for when summing another zone's periods from the sessions. */
    private static final Duration LONGEST_SESSION = Duration.ofDays(1);

    private final RollupStore rollups;
    private final SessionStore sessions;

    UsageReports(RollupStore rollups, SessionStore sessions) {
        this.rollups = rollups;
        this.sessions = sessions;
    }

    /**
     * The zone a report is cut in, and whether it is the fleet's own (read from its rollups), decided once per request.
     */
    public record ReportZone(ZoneId zone, boolean fleets) {
    }

    /** Every period that overlaps [from, to), with zeros where nothing happened. */
    public Mono<UsageReport> report(String fleetId, String tableId, Granularity granularity, ReportZone in, Instant from, Instant to) {
        ZoneId zone = in.zone();
        Instant first = granularity.periodOf(from, zone);
        return usageByPeriod(fleetId, tableId, granularity, in, first, to).map(usage -> new UsageReport(fleetId, tableId, granularity,
                FleetTimeZones.nameOf(zone), from, to, UsagePeriod.series(usage, granularity, zone, first, to)));
    }

    public Mono<FleetSummary> summary(String fleetId, LocalDate day, ReportZone in) {
        ZoneId zone = in.zone();
        Instant dayStart = day.atStartOfDay(zone).toInstant();
        Instant weekStart = day.minusDays(6).atStartOfDay(zone).toInstant();
        Instant dayEnd = Granularity.DAY.next(dayStart, zone);
        Mono<List<UsagePeriod>> week = usageByPeriod(fleetId, null, Granularity.DAY, in, weekStart, dayEnd)
                .map(usage -> UsagePeriod.series(usage, Granularity.DAY, zone, weekStart, dayEnd));
        Mono<List<FleetSummary.TableUsage>> top = tablesUsage(fleetId, Granularity.DAY, in, dayStart, dayEnd)
                .map(table -> {
                    UsagePeriod usage = UsagePeriod.of(dayStart, Granularity.DAY, zone, table.usage());
                    return new FleetSummary.TableUsage(table.tableId(), usage.sessions(), usage.invertedMinutes(), usage.therapeuticShare());
                })
                .sort(Comparator.comparingDouble(FleetSummary.TableUsage::invertedMinutes).reversed()
                        .thenComparing(FleetSummary.TableUsage::tableId))
                .take(TOP_TABLES).collectList();
        return Mono.zip(week, top, (days, tables) -> new FleetSummary(fleetId, day, FleetTimeZones.nameOf(zone), days.get(days.size() - 1), days,
                tables));
    }

    private record TableUsage(String tableId, Instant period, Usage usage) {
    }

    /** The fleet's (tableId null) or one table's usage per period beginning in [first, to). */
    private Mono<Map<Instant, Usage>> usageByPeriod(String fleetId, String tableId, Granularity granularity, ReportZone in, Instant first,
                                                    Instant to) {
        if (in.fleets()) {
            return rollups.find(new UsageQuery(fleetId, tableId, false, granularity, in.zone(), first, to))
                    .collectMap(RollupDocument::periodStart, RollupDocument::usage);
        }
        return fromSessions(fleetId, tableId, granularity, in.zone(), first, to)
                .collectMultimap(TableUsage::period, TableUsage::usage)
                .map(byPeriod -> {
                    Map<Instant, Usage> usage = new TreeMap<>();
                    byPeriod.forEach((period, tables) -> usage.put(period, Usage.ofTables(tables)));
                    return usage;
                });
    }

    /** Each table's usage in each period beginning in [first, to). */
    private Flux<TableUsage> tablesUsage(String fleetId, Granularity granularity, ReportZone in, Instant first, Instant to) {
        if (in.fleets()) {
            return rollups.find(new UsageQuery(fleetId, null, true, granularity, in.zone(), first, to))
                    .map(table -> new TableUsage(table.tableId(), table.periodStart(), table.usage()));
        }
        return fromSessions(fleetId, null, granularity, in.zone(), first, to);
    }

    /** Keeps only the slices of the range, table by table, as the sessions come: not the sessions themselves. */
    private Flux<TableUsage> fromSessions(String fleetId, String tableId, Granularity granularity, ZoneId zone, Instant first, Instant to) {
        return sessions.withSlicesBetween(fleetId, tableId, first.minus(LONGEST_SESSION), first, to)
                .flatMapIterable(session -> session.slices().stream()
                        .filter(slice -> !slice.start().isBefore(first) && slice.start().isBefore(to))
                        .map(slice -> Map.entry(session.tableId(), slice)).toList())
                .collectMultimap(Map.Entry::getKey, Map.Entry::getValue)
                .flatMapIterable(slicesByTable -> {
                    List<TableUsage> usage = new ArrayList<>();
                    slicesByTable.forEach((table, slices) -> Usage.ofTablePeriods(slices, granularity, zone)
                            .forEach((period, periodUsage) -> usage.add(new TableUsage(table, period, periodUsage))));
                    return usage;
                });
    }
}
