package io.tiltfleet.retention;

import static org.springframework.data.mongodb.core.query.Criteria.where;
import static org.springframework.data.mongodb.core.query.Query.query;

import io.tiltfleet.contract.CallerHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;
import java.util.stream.Stream;
import org.bson.Document;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * What one service keeps of one fleet, collection by collection: exported whole, and removed on an operator's request
 * ("delete my data"), each in the fleets' audit trail (the collection {@code audit}, which the safety service serves).
 * A removal is written to the trail before anything is removed and again, with what it removed, once done; it runs to
 * its end even when the caller stops waiting. One that fails halfway leaves its request on the trail without the entry
 * saying it is done, and may be asked again: removing what is gone removes nothing.
 */
public final class FleetData {

    /** The trail's kind of entry for a fleet's data exported or removed. */
    public static final String AUDIT_WHAT = "fleet-data";
    private static final String AUDIT = "audit";
    private static final Duration LONGEST_REMOVAL = Duration.ofMinutes(30);
    private static final Logger log = LoggerFactory.getLogger(FleetData.class);
    private static final JsonWriterSettings EXTENDED_JSON = JsonWriterSettings.builder().outputMode(JsonMode.RELAXED).build();

    /**
     * One collection of a service and how to find a fleet's documents in it.
     *
     * @param ofFleet    the query for the documents of the fleet it is given
     * @param removedOf  the query for those of them a removal takes; null for a collection the service must keep
     */
    public record Part(String collection, Function<String, Query> ofFleet, Function<String, Query> removedOf) {

        /** The documents whose {@code field} is the fleet's id, all removed. */
        public static Part byField(String collection, String field) {
            Function<String, Query> ofFleet = fleetId -> query(where(field).is(fleetId));
            return new Part(collection, ofFleet, ofFleet);
        }

        /** The documents whose id begins with the fleet's id and a slash ({@code fleet/table}), all removed; by range, on the id's index. */
        public static Part byIdPrefix(String collection) {
            // '0' follows '/': the range holds every id that starts with the fleet and a slash, and nothing else
            Function<String, Query> ofFleet = fleetId -> query(where("_id").gte(fleetId + "/").lt(fleetId + "0"));
            return new Part(collection, ofFleet, ofFleet);
        }

        /** The same documents, exported, but only those the query picks removed. */
        public Part removing(Function<String, Query> removedOf) {
            return new Part(collection, ofFleet, removedOf);
        }

        /** The same documents, exported but kept when the fleet's data is removed (the audit trail). */
        public Part kept() {
            return new Part(collection, ofFleet, null);
        }
    }

    /** What a removal took away: documents per collection, in the order of the parts. */
    public record Removal(String fleetId, Map<String, Long> removed) {
    }

    private final ReactiveMongoTemplate mongo;
    private final Clock clock;
    private final String service;
    private final List<Part> parts;
    /** What the service holds of a fleet outside MongoDB, exported first under its own name, never removed here. */
    private final String heldName;
    private final Function<String, Flux<Document>> held;
    private final ConcurrentMap<String, Mono<Removal>> underWay = new ConcurrentHashMap<>();

    public FleetData(ReactiveMongoTemplate mongo, Clock clock, String service, List<Part> parts) {
        this(mongo, clock, service, parts, null, fleetId -> Flux.empty());
    }

    private FleetData(ReactiveMongoTemplate mongo, Clock clock, String service, List<Part> parts, String heldName,
                      Function<String, Flux<Document>> held) {
        this.mongo = mongo;
        this.clock = clock;
        this.service = service;
        this.parts = List.copyOf(parts);
        this.heldName = heldName;
        this.held = held;
    }

    /**
     * The same, its exports beginning with what the service holds of the fleet elsewhere (such as its configuration,
     * read from Kafka), under {@code name}; a removal leaves that alone. It is read whole before anything is written, so
     * keep it small (a fleet's configuration, not its history).
     */
    public FleetData alsoExporting(String name, Function<String, Flux<Document>> documents) {
        return new FleetData(mongo, clock, service, parts, name, documents);
    }

    /**
     * Every document of the fleet, one NDJSON line each, {@code {"collection":"sessions","document":{...}}}, the document in
     * MongoDB's relaxed extended JSON, collection after collection, streamed as read; written to the trail first.
     */
    private Flux<DataBuffer> export(String fleetId, String by) {
        List<String> exported = Stream.concat(Stream.ofNullable(heldName), parts.stream().map(Part::collection)).toList();
        // what is held elsewhere is read before the trail is written: an export that cannot read it fails before it begins
        return held.apply(fleetId).collectList().flatMapMany(heldNow -> audit(fleetId, by, Map.of("exported", exported), "the fleet's data exported")
                .thenMany(Flux.concat(Flux.fromIterable(heldNow).map(document -> line(heldName, document)), Flux.fromIterable(parts)
                        .concatMap(part -> mongo.find(part.ofFleet().apply(fleetId), Document.class, part.collection())
                                .map(document -> line(part.collection(), document))))));
    }

    private static DataBuffer line(String collection, Document document) {
        return DefaultDataBufferFactory.sharedInstance.wrap((new Document("collection", collection).append("document", document)
                .toJson(EXTENDED_JSON) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The export as a file to download, {@code tiltfleet_<fleet>_<service>_data.ndjson}, for the caller the gateway names;
     * the fleet id validated by the controller.
     */
    public ResponseEntity<Flux<DataBuffer>> exportFile(String fleetId, String caller) {
        return ResponseEntity.ok()
                .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment()
                        .filename("tiltfleet_" + fleetId + "_" + service + "_data.ndjson").build().toString())
                .contentType(MediaType.APPLICATION_NDJSON)
                .body(export(fleetId, named(caller)));
    }

    /** {@link #remove} for the caller the gateway names. */
    public Mono<Removal> removeFor(String fleetId, String caller) {
        return remove(fleetId, named(caller));
    }

    /** Who asks goes on the trail: a request that names nobody is not taken. */
    private static String named(String caller) {
        if (caller == null || caller.isBlank()) {
            throw new ResponseStatusException(HttpStatus.UNAUTHORIZED, "a fleet's data is exported or removed for someone: the request names no caller ("
                    + CallerHeaders.CALLER + ")");
        }
        return caller;
    }

    /**
     * Removes the fleet's documents, but those of the parts kept; runs to its end even if the caller stops waiting, or
     * fails after {@link #LONGEST_REMOVAL} (a connection that hangs must not hold the fleet's removals for good). A
     * request while one for the same fleet runs here (a client asking again after a timeout) waits for that one: it
     * starts no second pass, and its trail entry says only that it asked.
     */
    private Mono<Removal> remove(String fleetId, String by) {
        Mono<Removal> removal = removal(fleetId, by);
        Mono<Removal> running = underWay.putIfAbsent(fleetId, removal);
        if (running != null) {
            log.info("A removal of the data of fleet {} runs already; {} waits for it", fleetId, by);
            return audit(fleetId, by, Map.of("joined", "the removal running"), "the fleet's data asked to be removed while a removal ran")
                    .then(running);
        }
        removal.doFinally(ended -> underWay.remove(fleetId, removal)).subscribe(
                done -> log.info("Removed the data of fleet {} asked by {}: {}", fleetId, by, done.removed()),
                failure -> log.warn("Removing the data of fleet {} asked by {} failed; it may be asked again: {}", fleetId, by, failure.toString()));
        return removal;
    }

    private Mono<Removal> removal(String fleetId, String by) {
        List<Part> removable = parts.stream().filter(part -> part.removedOf() != null).toList();
        Map<String, Long> removed = new LinkedHashMap<>();
        return audit(fleetId, by, Map.of("removing", removable.stream().map(Part::collection).toList()),
                "the fleet's data asked to be removed")
                .thenMany(Flux.fromIterable(removable).concatMap(part -> mongo.remove(part.removedOf().apply(fleetId), part.collection())
                        .doOnNext(result -> removed.put(part.collection(), result.getDeletedCount()))))
                .then(Mono.defer(() -> audit(fleetId, by, Map.of("removed", new Document(new LinkedHashMap<String, Object>(removed))),
                        "the fleet's data removed")))
                .then(Mono.fromSupplier(() -> new Removal(fleetId, removed)))
                .timeout(LONGEST_REMOVAL)
                .cache();
    }

    /** An entry of the trail, in the shape {@code io.tiltfleet.safety.audit.AuditEntry} reads; inserted, never changed. */
    private Mono<Void> audit(String fleetId, String by, Map<String, Object> what, String reason) {
        Document after = new Document("service", service);
        what.forEach(after::append);
        return Mono.defer(() -> mongo.insert(new Document("_id", UUID.randomUUID().toString()).append("fleetId", fleetId)
                .append("at", Date.from(clock.instant())).append("by", by).append("what", AUDIT_WHAT).append("after", after)
                .append("reason", reason), AUDIT)).then();
    }
}
