package io.tiltfleet.analytics.usage;

import static org.springframework.data.mongodb.core.aggregation.Aggregation.group;
import static org.springframework.data.mongodb.core.aggregation.Aggregation.match;
import static org.springframework.data.mongodb.core.aggregation.Aggregation.newAggregation;
import static org.springframework.data.mongodb.core.query.Criteria.where;
import static org.springframework.data.mongodb.core.query.Query.query;

import com.mongodb.client.result.DeleteResult;
import io.tiltfleet.analytics.sessions.AngleBand;
import io.tiltfleet.analytics.sessions.QuarterSlice;
import io.tiltfleet.analytics.sessions.SessionDocument;
import io.tiltfleet.analytics.sessions.SessionStore;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.bson.Document;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.BulkOperations;
import org.springframework.data.mongodb.core.FindAndReplaceOptions;
import org.springframework.data.mongodb.core.ReactiveBulkOperations;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.aggregation.GroupOperation;
import org.springframework.data.mongodb.core.index.Index;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Hourly and daily rollups per table and per fleet, in the hours and days of the fleet's time zone. Each is
 * recomputed from what it sums (a table's hour from the stored sessions' quarter-hour slices, a day from its hours, a
 * fleet from its tables) rather than incremented, so that processing the same readings twice gives the same figures.
 */
@Component
public class RollupStore {

    private final ReactiveMongoTemplate mongo;
    private final SessionStore sessions;
    private final FleetTimeZones zones;

    RollupStore(ReactiveMongoTemplate mongo, SessionStore sessions, FleetTimeZones zones) {
        this.mongo = mongo;
        this.sessions = sessions;
        this.zones = zones;
    }

    /** And names the zone of the rollups of a version before time zones, which were cut in UTC, in place. */
    public Mono<Void> createIndexes() {
        return Flux.concat(
                mongo.indexOps(RollupDocument.class).createIndex(new Index().on("scope", Sort.Direction.ASC).on("fleetId", Sort.Direction.ASC)
                        .on("granularity", Sort.Direction.ASC).on("zone", Sort.Direction.ASC).on("periodStart", Sort.Direction.ASC)),
                mongo.indexOps(RollupDocument.class).createIndex(new Index().on("fleetId", Sort.Direction.ASC).on("zone", Sort.Direction.ASC)),
                mongo.updateMulti(query(where("zone").exists(false)), new Update().set("zone", FleetTimeZones.nameOf(ZoneOffset.UTC)),
                        RollupDocument.class)).then();
    }

    private record Table(String fleetId, String tableId) {
    }

    /**
     * Recomputes every rollup that these stored sessions count in, cut in their fleet's time zone, with one query per
     * level whatever the number of tables in the batch; waits until the fleets' zones are read. One recomputation at a
     * time in this instance: the intake's and a {@link io.tiltfleet.analytics.zones.RollupRebuild rebuild}'s, each reading
     * the stored sessions and then writing what it summed, must not overwrite a sum with one made before the latest
     * session (between instances, the rebuild cuts the recent sessions once more at its end).
     */
    public synchronized void recompute(Collection<SessionDocument> stored, Duration timeout) {
        if (!stored.isEmpty()) {
            recomputation(stored).block(timeout);
        }
    }

    private Mono<Void> recomputation(Collection<SessionDocument> closed) {
        return zones.whenRead().then(Mono.defer(() -> {
            // each fleet's zone read once: a change meanwhile must not mix two zones' hours in one recomputation
            Map<String, ZoneId> zoneOf = new HashMap<>();
            closed.forEach(session -> zoneOf.computeIfAbsent(session.fleetId(), zones::zoneOf));
            Map<Table, Set<Instant>> hoursByTable = new LinkedHashMap<>();
            closed.forEach(session -> session.slices().forEach(slice -> hoursByTable.computeIfAbsent(new Table(session.fleetId(),
                    session.tableId()), t -> new TreeSet<>()).add(Granularity.HOUR.periodOf(slice.start(), zoneOf.get(session.fleetId())))));
            return tableHours(hoursByTable, zoneOf).flatMap(this::upsert)
                    .then(Mono.defer(() -> tableDays(hoursByTable, zoneOf)).flatMap(this::upsert))
                    .then(Mono.defer(() -> fleetPeriods(hoursByTable, Granularity.HOUR, zoneOf)).flatMap(this::upsert))
                    .then(Mono.defer(() -> fleetPeriods(hoursByTable, Granularity.DAY, zoneOf)).flatMap(this::upsert));
        }));
    }

    /**
     * Removes the fleet's rollups cut in any other zone than this one whose period ends after the start of its oldest stored
     * session, once those have all been cut in this zone again. Older ones, whose sessions a shorter retention has removed,
     * cannot be cut again: they are kept, in their zone, until the rollups' own retention.
     *
     * @param oldestSession the start of the fleet's oldest stored session; null when it has none, which removes nothing
     */
    public Mono<Long> removeOtherZones(String fleetId, ZoneId zone, Instant oldestSession) {
        if (oldestSession == null) {
            return Mono.just(0L);
        }
        Criteria otherZones = where("fleetId").is(fleetId).and("zone").ne(FleetTimeZones.nameOf(zone));
        // a period begun before the oldest session may still reach into it: no day or hour anywhere lasts two days
        Mono<Long> reachingIn = mongo.find(query(otherZones).addCriteria(where("periodStart").gte(oldestSession.minus(Duration.ofDays(2)))
                        .lt(oldestSession)), RollupDocument.class)
                .filter(rollup -> rollup.granularity().next(rollup.periodStart(), ZoneId.of(rollup.zone())).isAfter(oldestSession))
                .map(RollupDocument::id).collectList()
                .flatMap(ids -> mongo.remove(query(where("_id").in(ids)), RollupDocument.class)).map(DeleteResult::getDeletedCount);
        Mono<Long> later = mongo.remove(query(otherZones).addCriteria(where("periodStart").gte(oldestSession)), RollupDocument.class)
                .map(DeleteResult::getDeletedCount);
        return reachingIn.zipWith(later, Long::sum);
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
                .and("granularity").is(usage.granularity()).and("zone").is(FleetTimeZones.nameOf(usage.zone()))
                .and("periodStart").gte(usage.from()).lt(usage.to());
        return usage.tableId() != null && !usage.allTables() ? criteria.and("tableId").is(usage.tableId()) : criteria;
    }

    /** A table's hour sums the quarter-hour slices its sessions have in it. */
    private Mono<List<RollupDocument>> tableHours(Map<Table, Set<Instant>> hoursByTable, Map<String, ZoneId> zoneOf) {
        Set<Instant> allQuarters = new TreeSet<>();
        hoursByTable.forEach((table, hours) -> hours.forEach(hour -> allQuarters.addAll(quartersOf(hour, zoneOf.get(table.fleetId())))));
        return sessions.touching(fleetIds(hoursByTable), hoursByTable.keySet().stream().map(Table::tableId).collect(Collectors.toSet()), allQuarters)
                .collectList().map(stored -> {
                    Map<Table, List<QuarterSlice>> slicesByTable = new HashMap<>();
                    stored.forEach(session -> slicesByTable.computeIfAbsent(new Table(session.fleetId(), session.tableId()), t -> new ArrayList<>())
                            .addAll(session.slices()));
                    List<RollupDocument> rollups = new ArrayList<>();
                    hoursByTable.forEach((table, hours) -> {
                        ZoneId zone = zoneOf.get(table.fleetId());
                        Map<Instant, Usage> usage = Usage.ofTablePeriods(slicesByTable.getOrDefault(table, List.of()), Granularity.HOUR, zone);
                        hours.forEach(hour -> rollups.add(RollupDocument.of(Scope.TABLE, table.fleetId(), table.tableId(), Granularity.HOUR,
                                FleetTimeZones.nameOf(zone), hour, usage.getOrDefault(hour, Usage.NONE))));
                    });
                    return rollups;
                });
    }

    /** The starts of the quarter hours in the hour: slices are cut at UTC quarters, and an hour may begin between two. */
    private static List<Instant> quartersOf(Instant hour, ZoneId zone) {
        List<Instant> quarters = new ArrayList<>(4);
        Instant first = QuarterSlice.startOf(hour).isBefore(hour) ? QuarterSlice.startOf(hour).plus(QuarterSlice.LENGTH) : hour;
        for (Instant quarter = first; quarter.isBefore(Granularity.HOUR.next(hour, zone)); quarter = quarter.plus(QuarterSlice.LENGTH)) {
            quarters.add(quarter);
        }
        return quarters;
    }

    /** A table's day sums its local hours (23, 24 or 25 of them), read by id. */
    private Mono<List<RollupDocument>> tableDays(Map<Table, Set<Instant>> hoursByTable, Map<String, ZoneId> zoneOf) {
        Map<Table, Set<Instant>> daysByTable = new LinkedHashMap<>();
        hoursByTable.forEach((table, hours) -> daysByTable.put(table, days(hours, zoneOf.get(table.fleetId()))));
        List<String> hourIds = new ArrayList<>();
        daysByTable.forEach((table, days) -> days.forEach(day -> hourIds.addAll(hourIds(table, day, zoneOf.get(table.fleetId())))));
        return mongo.find(query(where("_id").in(hourIds)), RollupDocument.class).collectMap(RollupDocument::id, RollupDocument::usage)
                .map(stored -> {
                    List<RollupDocument> rollups = new ArrayList<>();
                    daysByTable.forEach((table, days) -> days.forEach(day -> rollups.add(RollupDocument.of(Scope.TABLE, table.fleetId(),
                            table.tableId(), Granularity.DAY, FleetTimeZones.nameOf(zoneOf.get(table.fleetId())), day,
                            Usage.ofSameTable(hourIds(table, day, zoneOf.get(table.fleetId())).stream().filter(stored::containsKey).map(stored::get).toList())))));
                    return rollups;
                });
    }

    private static List<String> hourIds(Table table, Instant day, ZoneId zone) {
        List<String> ids = new ArrayList<>(25);
        for (Instant hour = day; hour.isBefore(Granularity.DAY.next(day, zone)); hour = Granularity.HOUR.next(hour, zone)) {
            ids.add(RollupDocument.of(Scope.TABLE, table.fleetId(), table.tableId(), Granularity.HOUR, FleetTimeZones.nameOf(zone), hour, Usage.NONE).id());
        }
        return ids;
    }

    /**
     * A fleet's period sums the rollups of its tables for the same period. MongoDB sums them: every recomputation covers
     * all the fleet's tables, thousands in a large fleet, and reading each of them into this service was 43% of its
     * flight-recording samples at 3,000 readings/s from 3,000 tables.
     */
    private Mono<List<RollupDocument>> fleetPeriods(Map<Table, Set<Instant>> hoursByTable, Granularity granularity,
                                                    Map<String, ZoneId> zoneOf) {
        Map<String, Set<Instant>> periodsByFleet = new TreeMap<>();
        hoursByTable.forEach((table, hours) -> hours.forEach(hour -> periodsByFleet.computeIfAbsent(table.fleetId(), f -> new TreeSet<>())
                .add(granularity.periodOf(hour, zoneOf.get(table.fleetId())))));
        Set<Instant> allPeriods = new TreeSet<>();
        periodsByFleet.values().forEach(allPeriods::addAll);
        Set<String> fleetZones = periodsByFleet.keySet().stream().map(fleet -> FleetTimeZones.nameOf(zoneOf.get(fleet))).collect(Collectors.toSet());
        Criteria tablesInPeriods = where("scope").is(Scope.TABLE).and("fleetId").in(periodsByFleet.keySet()).and("granularity").is(granularity)
                .and("zone").in(fleetZones).and("periodStart").in(allPeriods);
        return mongo.aggregate(newAggregation(match(tablesInPeriods), tableSums()), RollupDocument.COLLECTION, Document.class)
                .collectMap(FleetPeriod::of, RollupStore::usageOf)
                .map(sums -> {
                    List<RollupDocument> rollups = new ArrayList<>();
                    periodsByFleet.forEach((fleet, periods) -> {
                        String zone = FleetTimeZones.nameOf(zoneOf.get(fleet));
                        periods.forEach(period -> rollups.add(RollupDocument.of(Scope.FLEET, fleet, null, granularity, zone, period,
                                sums.getOrDefault(new FleetPeriod(fleet, zone, period), Usage.NONE))));
                    });
                    return rollups;
                });
    }

    /** What the sums of {@link #tableSums} are grouped by. */
    private record FleetPeriod(String fleetId, String zone, Instant start) {

        static FleetPeriod of(Document sum) {
            Document id = sum.get("_id", Document.class);
            return new FleetPeriod(id.getString("fleetId"), id.getString("zone"), id.getDate("periodStart").toInstant());
        }
    }

    /** As {@link Usage#ofTables}, per fleet, zone and period. */
    private static GroupOperation tableSums() {
        GroupOperation sums = group("fleetId", "zone", "periodStart").sum("sessions").as("sessions").sum("angleSeconds").as("angleSeconds")
                .max("maxAngleDeg").as("maxAngleDeg").sum("activeTables").as("activeTables");
        for (AngleBand band : AngleBand.values()) {
            sums = sums.sum("secondsPerBand." + band.name()).as(band.name());
        }
        return sums;
    }

    /** A band summing to 0 is left out: every reader takes a band that is not there as 0. */
    private static Usage usageOf(Document sum) {
        Map<AngleBand, Double> seconds = new EnumMap<>(AngleBand.class);
        for (AngleBand band : AngleBand.values()) {
            double bandSeconds = sum.get(band.name(), Number.class).doubleValue();
            if (bandSeconds != 0) {
                seconds.put(band, bandSeconds);
            }
        }
        return new Usage(sum.get("sessions", Number.class).intValue(), seconds, sum.get("angleSeconds", Number.class).doubleValue(),
                sum.get("maxAngleDeg", Number.class).doubleValue(), sum.get("activeTables", Number.class).intValue());
    }

    private static Set<String> fleetIds(Map<Table, Set<Instant>> hoursByTable) {
        return hoursByTable.keySet().stream().map(Table::fleetId).collect(Collectors.toSet());
    }

    private static Set<Instant> days(Set<Instant> hours, ZoneId zone) {
        Set<Instant> days = new TreeSet<>();
        hours.forEach(hour -> days.add(Granularity.DAY.periodOf(hour, zone)));
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
