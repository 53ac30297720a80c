package io.tiltfleet.analytics.usage;

import static org.springframework.data.mongodb.core.query.Criteria.where;
import static org.springframework.data.mongodb.core.query.Query.query;

import io.tiltfleet.analytics.sessions.HourSlice;
import io.tiltfleet.analytics.sessions.SessionDocument;
import io.tiltfleet.analytics.sessions.SessionStore;
import io.tiltfleet.analytics.sessions.SessionSummary;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.BulkOperations;
import org.springframework.data.mongodb.core.FindAndReplaceOptions;
import org.springframework.data.mongodb.core.ReactiveBulkOperations;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.index.Index;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Hourly and daily rollups per table and per fleet. Each is recomputed from what it sums (a
 * table's hour from the stored sessions, a day from its hours, a fleet from its tables) rather
 * than incremented, so that processing the same readings twice gives the same figures.
 */
@Component
public class RollupStore {

    private final ReactiveMongoTemplate mongo;
    private final SessionStore sessions;

    RollupStore(ReactiveMongoTemplate mongo, SessionStore sessions) {
        this.mongo = mongo;
        this.sessions = sessions;
    }

    public Mono<Void> createIndexes() {
        return mongo.indexOps(RollupDocument.class).createIndex(new Index().on("scope", Sort.Direction.ASC)
                .on("fleetId", Sort.Direction.ASC).on("granularity", Sort.Direction.ASC).on("periodStart", Sort.Direction.ASC)).then();
    }

    private record Table(String fleetId, String tableId) {
    }

    /**
     * Recomputes every rollup that the newly stored sessions count in, with one query per level
     * whatever the number of tables in the batch.
     */
    public Mono<Void> recompute(Collection<SessionSummary> closed) {
        Map<Table, Set<Instant>> hoursByTable = new LinkedHashMap<>();
        closed.forEach(session -> session.hours().forEach(slice -> hoursByTable
                .computeIfAbsent(new Table(session.fleetId(), session.tableId()), t -> new TreeSet<>()).add(slice.hour())));
        if (hoursByTable.isEmpty()) {
            return Mono.empty();
        }
        return tableHours(hoursByTable).flatMap(this::upsert)
                .then(Mono.defer(() -> tableDays(hoursByTable)).flatMap(this::upsert))
                .then(Mono.defer(() -> fleetPeriods(hoursByTable, Granularity.HOUR)).flatMap(this::upsert))
                .then(Mono.defer(() -> fleetPeriods(hoursByTable, Granularity.DAY)).flatMap(this::upsert));
    }

    public Flux<RollupDocument> find(UsageQuery usage) {
        return mongo.find(query(criteria(usage)).with(Sort.by("periodStart", "tableId")), RollupDocument.class);
    }

    /** Every matching rollup, in period order, fetched from the cursor as the reader asks for more. */
    public Flux<RollupDocument> stream(UsageQuery usage, int fetchSize) {
        Query query = query(criteria(usage)).with(Sort.by("periodStart", "tableId"));
        query.cursorBatchSize(fetchSize);
        return mongo.find(query, RollupDocument.class);
    }

    private static Criteria criteria(UsageQuery usage) {
        Criteria criteria = where("scope").is(usage.scope()).and("fleetId").is(usage.fleetId())
                .and("granularity").is(usage.granularity()).and("periodStart").gte(usage.from()).lt(usage.to());
        return usage.tableId() != null && !usage.allTables() ? criteria.and("tableId").is(usage.tableId()) : criteria;
    }

    private Mono<List<RollupDocument>> tableHours(Map<Table, Set<Instant>> hoursByTable) {
        Set<Instant> allHours = new TreeSet<>();
        hoursByTable.values().forEach(allHours::addAll);
        return sessions.touching(fleetIds(hoursByTable), hoursByTable.keySet().stream().map(Table::tableId).collect(Collectors.toSet()), allHours)
                .collectList().map(stored -> {
                    Map<Table, List<SessionDocument>> byTable = stored.stream()
                            .collect(Collectors.groupingBy(session -> new Table(session.fleetId(), session.tableId())));
                    List<RollupDocument> rollups = new ArrayList<>();
                    hoursByTable.forEach((table, hours) -> hours.forEach(hour -> rollups.add(RollupDocument.of(Scope.TABLE, table.fleetId(),
                            table.tableId(), Granularity.HOUR, hour, Usage.ofTableHour(slicesIn(byTable.getOrDefault(table, List.of()), hour))))));
                    return rollups;
                });
    }

    private static List<HourSlice> slicesIn(List<SessionDocument> stored, Instant hour) {
        List<HourSlice> slices = new ArrayList<>();
        stored.forEach(session -> session.hours().stream().filter(slice -> slice.hour().equals(hour)).forEach(slices::add));
        return slices;
    }

    /** A table's day sums its 24 hours, read by id. */
    private Mono<List<RollupDocument>> tableDays(Map<Table, Set<Instant>> hoursByTable) {
        Map<Table, Set<Instant>> daysByTable = new LinkedHashMap<>();
        hoursByTable.forEach((table, hours) -> daysByTable.put(table, days(hours)));
        List<String> hourIds = new ArrayList<>();
        daysByTable.forEach((table, days) -> days.forEach(day -> hourIds.addAll(hourIds(table, day))));
        return mongo.find(query(where("_id").in(hourIds)), RollupDocument.class).collectMap(RollupDocument::id, RollupDocument::usage)
                .map(stored -> {
                    List<RollupDocument> rollups = new ArrayList<>();
                    daysByTable.forEach((table, days) -> days.forEach(day -> rollups.add(RollupDocument.of(Scope.TABLE, table.fleetId(),
                            table.tableId(), Granularity.DAY, day, Usage.ofSameTable(hourIds(table, day).stream()
                                    .filter(stored::containsKey).map(stored::get).toList())))));
                    return rollups;
                });
    }

    private static List<String> hourIds(Table table, Instant day) {
        List<String> ids = new ArrayList<>(24);
        for (Instant hour = day; hour.isBefore(Granularity.DAY.next(day)); hour = Granularity.HOUR.next(hour)) {
            ids.add(RollupDocument.of(Scope.TABLE, table.fleetId(), table.tableId(), Granularity.HOUR, hour, Usage.NONE).id());
        }
        return ids;
    }

    /** A fleet's period sums the rollups of its tables for the same period. */
    private Mono<List<RollupDocument>> fleetPeriods(Map<Table, Set<Instant>> hoursByTable, Granularity granularity) {
        Map<String, Set<Instant>> periodsByFleet = new TreeMap<>();
        hoursByTable.forEach((table, hours) -> hours.forEach(hour ->
                periodsByFleet.computeIfAbsent(table.fleetId(), f -> new TreeSet<>()).add(granularity.periodOf(hour))));
        Set<Instant> allPeriods = new TreeSet<>();
        periodsByFleet.values().forEach(allPeriods::addAll);
        return mongo.find(query(where("scope").is(Scope.TABLE).and("fleetId").in(periodsByFleet.keySet()).and("granularity").is(granularity)
                        .and("periodStart").in(allPeriods)), RollupDocument.class)
                .collectMultimap(table -> Map.entry(table.fleetId(), table.periodStart()), RollupDocument::usage)
                .map(tablesByPeriod -> {
                    List<RollupDocument> rollups = new ArrayList<>();
                    periodsByFleet.forEach((fleet, periods) -> periods.forEach(period -> rollups.add(RollupDocument.of(Scope.FLEET, fleet, null,
                            granularity, period, Usage.ofTables(tablesByPeriod.getOrDefault(Map.entry(fleet, period), List.of()))))));
                    return rollups;
                });
    }

    private static Set<String> fleetIds(Map<Table, Set<Instant>> hoursByTable) {
        return hoursByTable.keySet().stream().map(Table::fleetId).collect(Collectors.toSet());
    }

    private static Set<Instant> days(Set<Instant> hours) {
        Set<Instant> days = new TreeSet<>();
        hours.forEach(hour -> days.add(Granularity.DAY.periodOf(hour)));
        return days;
    }

    private Mono<Void> upsert(List<RollupDocument> rollups) {
        if (rollups.isEmpty()) {
            return Mono.empty();
        }
        ReactiveBulkOperations bulk = mongo.bulkOps(BulkOperations.BulkMode.UNORDERED, RollupDocument.class);
        rollups.forEach(rollup -> bulk.replaceOne(query(where("_id").is(rollup.id())), rollup, FindAndReplaceOptions.options().upsert()));
        return bulk.execute().then();
    }
}
