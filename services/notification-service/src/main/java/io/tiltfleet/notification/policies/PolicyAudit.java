package io.tiltfleet.notification.policies;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.mapping.Document;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * A fleet's notification policy changes in the fleets' audit trail: the MongoDB collection {@code audit}, which the
 * safety service serves ({@code GET /api/fleets/{fleetId}/audit}) and every service that changes a fleet's configuration
 * writes to, each entry in the same shape. The policy is recorded without its secrets, addresses and recipients.
 */
@Component
class PolicyAudit {

    static final String WHAT = "notification-policy";
    private static final TypeReference<Map<String, Object>> FIELDS = new TypeReference<>() { };

    /** An entry of the audit trail, as {@code io.tiltfleet.safety.audit.AuditEntry} reads it. */
    @Document("audit")
    record Entry(@Id String id, String fleetId, Instant at, String by, String what, String tableId, Map<String, Object> before,
                 Map<String, Object> after, String reason) {
    }

    private final ReactiveMongoTemplate mongo;
    private final JsonMapper json;

    PolicyAudit(ReactiveMongoTemplate mongo, JsonMapper json) {
        this.mongo = mongo;
        this.json = json;
    }

    Mono<Void> record(String fleetId, PolicyView before, PolicyView after, String by, Instant at) {
        return mongo.insert(new Entry(UUID.randomUUID().toString(), fleetId, at, by, WHAT, null, fields(before), fields(after), null)).then();
    }

    /**
     * The policy as the trail keeps it: each channel's host, never its address (a Slack or Teams webhook's address is
     * itself the credential) and how many recipients, never who; analysts, who may not read policies, read the trail.
     */
    private Map<String, Object> fields(PolicyView view) {
        if (view == null) {
            return null;
        }
        PolicyView kept = new PolicyView(view.fleetId(), view.channels().stream().map(channel -> new PolicyView.ChannelView(channel.id(),
                channel.kind(), hostOf(channel.url()), channel.recipients() == null ? null : List.of(channel.recipients().size() + " recipients"),
                channel.secretSet())).toList(), view.rules(), view.updatedAt());
        return json.convertValue(kept, FIELDS);
    }

    private static String hostOf(String url) {
        if (url == null) {
            return null;
        }
        String host = URI.create(url).getHost();
        return host == null ? "(an address)" : host;
    }
}
