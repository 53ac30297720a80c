package io.tiltfleet.analytics.usage;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/** Usage reports and the fleet summary, read from the stored rollups. */
@Component
public class UsageReports {

    private static final int TOP_TABLES = 5;

    private final RollupStore rollups;

    UsageReports(RollupStore rollups) {
        this.rollups = rollups;
    }

    /** Every period that overlaps [from, to), with zeros where nothing happened. */
    public Mono<UsageReport> report(String fleetId, String tableId, Granularity granularity, Instant from, Instant to) {
        Instant first = granularity.periodOf(from);
        return rollups.find(new UsageQuery(fleetId, tableId, false, granularity, first, to))
                .collectMap(RollupDocument::periodStart, RollupDocument::usage)
                .map(stored -> new UsageReport(fleetId, tableId, granularity, from, to, UsagePeriod.series(stored, granularity, first, to)));
    }

    public Mono<FleetSummary> summary(String fleetId, LocalDate day) {
        Instant dayStart = day.atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant weekStart = day.minusDays(6).atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant dayEnd = Granularity.DAY.next(dayStart);
        Mono<List<UsagePeriod>> week = rollups.find(new UsageQuery(fleetId, null, false, Granularity.DAY, weekStart, dayEnd))
                .collectMap(RollupDocument::periodStart, RollupDocument::usage)
                .map(stored -> UsagePeriod.series(stored, Granularity.DAY, weekStart, dayEnd));
        Mono<List<FleetSummary.TableUsage>> top = rollups.find(new UsageQuery(fleetId, null, true, Granularity.DAY, dayStart, dayEnd))
                .map(table -> {
                    UsagePeriod usage = UsagePeriod.of(dayStart, Granularity.DAY, table.usage());
                    return new FleetSummary.TableUsage(table.tableId(), usage.sessions(), usage.invertedMinutes(), usage.therapeuticShare());
                })
                .sort(Comparator.comparingDouble(FleetSummary.TableUsage::invertedMinutes).reversed()
                        .thenComparing(FleetSummary.TableUsage::tableId))
                .take(TOP_TABLES).collectList();
        return Mono.zip(week, top, (days, tables) -> new FleetSummary(fleetId, day, days.get(days.size() - 1), days, tables));
    }

}
