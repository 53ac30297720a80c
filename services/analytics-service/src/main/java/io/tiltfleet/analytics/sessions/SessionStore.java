package io.tiltfleet.analytics.sessions;

import static org.springframework.data.mongodb.core.query.Criteria.where;
import static org.springframework.data.mongodb.core.query.Query.query;

import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.bson.Document;
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

/** Closed sessions in MongoDB, keyed by their stable id so that storing one again replaces it with itself. */
@Component
public class SessionStore {

    private final ReactiveMongoTemplate mongo;

    SessionStore(ReactiveMongoTemplate mongo) {
        this.mongo = mongo;
    }

    public Mono<Void> createIndexes() {
        return Flux.concat(
                mongo.indexOps(SessionDocument.class).createIndex(new Index().on("fleetId", Sort.Direction.ASC).on("start", Sort.Direction.ASC)),
                mongo.indexOps(SessionDocument.class).createIndex(new Index().on("fleetId", Sort.Direction.ASC)
                        .on("tableId", Sort.Direction.ASC).on("start", Sort.Direction.ASC)),
                mongo.indexOps(SessionDocument.class).createIndex(new Index().on("fleetId", Sort.Direction.ASC)
                        .on("tableId", Sort.Direction.ASC).on("hours.hour", Sort.Direction.ASC)),
                // a fleet's traces, exported or removed with its data
                mongo.indexOps(TraceDocument.class).createIndex(new Index().on("fleetId", Sort.Direction.ASC))).then();
    }

    public Mono<Void> storeAll(Collection<SessionDocument> sessions) {
        return replaceAll(SessionDocument.class, sessions, SessionDocument::id);
    }

    /** The sessions of these fleets' tables that have time in any of the given quarter hours: one query for a whole batch. */
    public Flux<SessionDocument> touching(Collection<String> fleetIds, Collection<String> tableIds, Collection<Instant> quarters) {
        return mongo.find(query(where("fleetId").in(fleetIds).and("tableId").in(tableIds).and("hours.hour").in(quarters)),
                SessionDocument.class);
    }

    public Mono<Void> storeTraces(Collection<TraceDocument> traces) {
        return replaceAll(TraceDocument.class, traces, TraceDocument::sessionId);
    }

    /** Each document stored under its id, replacing what is there: storing the same again changes nothing. */
    private <T> Mono<Void> replaceAll(Class<T> type, Collection<T> documents, Function<T, String> idOf) {
        if (documents.isEmpty()) {
            return Mono.empty();
        }
        ReactiveBulkOperations bulk = mongo.bulkOps(BulkOperations.BulkMode.UNORDERED, type);
        documents.forEach(document -> bulk.replaceOne(query(where("_id").is(idOf.apply(document))), document,
                FindAndReplaceOptions.options().upsert()));
        return bulk.execute().then();
    }

    public Mono<TraceDocument> trace(String sessionId) {
        return mongo.findById(sessionId, TraceDocument.class);
    }

    /** The sessions of the fleet (or of one of its tables) that began after {@code earliestStart} and have time in [from, to). */
    public Flux<SessionDocument> withSlicesBetween(String fleetId, String tableId, Instant earliestStart, Instant from, Instant to) {
        Criteria criteria = where("fleetId").is(fleetId).and("start").gte(earliestStart).lt(to).and("hours.hour").gte(from).lt(to);
        return mongo.find(query(tableId == null ? criteria : criteria.and("tableId").is(tableId)), SessionDocument.class);
    }

    /** The fleets that have sessions stored. */
    public Flux<String> fleetIds() {
        return mongo.findDistinct(new Query(), "fleetId", SessionDocument.class, String.class);
    }

    public Mono<Long> countOf(String fleetId) {
        return mongo.count(query(where("fleetId").is(fleetId)), SessionDocument.class);
    }

    /**
     * The fleet's sessions, the newest first (ties by id), from just before the one given; all of them when none is.
     * Fetched from the cursor as the reader asks for more.
     */
    public Flux<SessionDocument> newestFirstBefore(String fleetId, Instant start, String id, int fetchSize) {
        Criteria criteria = where("fleetId").is(fleetId);
        if (start != null) {
            criteria = criteria.orOperator(where("start").lt(start), where("start").is(start).and("_id").lt(id));
        }
        Query query = query(criteria).with(Sort.by(Sort.Direction.DESC, "start", "_id"));
        query.cursorBatchSize(fetchSize);
        return mongo.find(query, SessionDocument.class);
    }

    /** One page, newest first. */
    public Flux<SessionDocument> page(SessionFilter filter, int page, int size) {
        return mongo.find(query(criteria(filter)).with(Sort.by(Sort.Direction.DESC, "start")).skip((long) page * size).limit(size),
                SessionDocument.class);
    }

    public Mono<Long> count(SessionFilter filter) {
        return mongo.count(query(criteria(filter)), SessionDocument.class);
    }

    /**
     * For an export: every matching session, oldest first, fetched from the cursor as the reader asks for more, and without
     * its quarter-hour slices, which no export column shows; never for rollups, which are made of the slices. Read as plain
     * documents and mapped here: Spring Data's mapping, field by field, was the largest part of the working threads' samples
     * in a flight recording of session exports (tools/bench/results/export-2026-12-04-profile.txt).
     */
    public Flux<SessionDocument> forExport(SessionFilter filter, int fetchSize) {
        Query query = query(criteria(filter)).with(Sort.by(Sort.Direction.ASC, "start"));
        query.fields().exclude("hours");
        query.cursorBatchSize(fetchSize);
        return mongo.find(query, Document.class, SessionDocument.COLLECTION).map(SessionStore::exportedSession);
    }

    /** A stored session as Spring Data maps it, without its slices; {@code SessionStoreTest} checks the two agree. */
    static SessionDocument exportedSession(Document stored) {
        Map<AngleBand, Double> secondsPerBand = new EnumMap<>(AngleBand.class);
        Document bands = stored.get("secondsPerBand", Document.class);
        if (bands != null) {
            bands.forEach((band, seconds) -> secondsPerBand.put(AngleBand.valueOf(band), number(seconds)));
        }
        String endedBy = stored.getString("endedBy");
        // Spring Data stores an id that looks like an ObjectId as one
        return new SessionDocument(Objects.toString(stored.get("_id"), null), stored.getString("fleetId"), stored.getString("tableId"),
                stored.getString("sessionId"), instant(stored, "start"), instant(stored, "end"), number(stored.get("durationS")),
                number(stored.get("invertedS")), number(stored.get("maxAngleDeg")), number(stored.get("meanAngleDeg")), secondsPerBand,
                (int) number(stored.get("steepExcursions")), (int) number(stored.get("readings")),
                endedBy == null ? null : SessionSummary.EndReason.valueOf(endedBy), null);
    }

    private static Instant instant(Document stored, String key) {
        Date date = stored.getDate(key);
        return date == null ? null : date.toInstant();
    }

    /** A number field left out reads as 0, as Spring Data gives a primitive. */
    private static double number(Object stored) {
        return stored == null ? 0 : ((Number) stored).doubleValue();
    }

    private static Criteria criteria(SessionFilter filter) {
        Criteria criteria = where("fleetId").is(filter.fleetId()).and("start").gte(filter.from()).lt(filter.to());
        if (filter.tableId() != null) {
            criteria = criteria.and("tableId").is(filter.tableId());
        }
        if (filter.minDurationS() != null) {
            criteria = criteria.and("durationS").gte(filter.minDurationS());
        }
        if (filter.minMaxAngleDeg() != null) {
            criteria = criteria.and("maxAngleDeg").gte(filter.minMaxAngleDeg());
        }
        if (filter.endedBy() != null) {
            criteria = criteria.and("endedBy").is(filter.endedBy());
        }
        return criteria;
    }
}
