package io.tiltfleet.contract;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.tiltfleet.contract.RejectReason.Rule;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns one MQTT message of a table into a reading, a status, or a precise rejection. Checks run
 * cheapest first (size, topic, encoding, syntax) so that hostile input costs little, and the first
 * broken rule is the reason given. Thread-safe.
 *
 * <p>A table's clock is not trusted blindly: a reading whose {@code ts} is further than the allowed skew
 * from the time the message was received is refused, because downstream sessions, partitions and hourly
 * slices are built on {@code ts} (one reading dated 0001-01-01 would make millions of hourly slices). A
 * status is refused only when it is dated too far ahead: a Last Will carries the time its table
 * connected, which may lie days before the broker publishes it.
 */
public final class DeviceMessageValidator {

    /** Payloads above this size are refused before they are parsed. */
    public static final int MAX_PAYLOAD_BYTES = 4096;

    public static final int TELEMETRY_SCHEMA_VERSION = 1;

    /** How far a table's clock may be from the time of receipt unless configured otherwise. */
    public static final Duration DEFAULT_MAX_CLOCK_SKEW = Duration.ofDays(1);

    /** Exact decimals, so that 1e400 is out of range rather than an infinite double of the wrong type. */
    private final JsonMapper json = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();
    private final Map<Integer, Schema> telemetrySchemas;
    private final Schema statusSchema;
    private final Duration maxClockSkew;

    public DeviceMessageValidator() {
        this(DEFAULT_MAX_CLOCK_SKEW);
    }

    /** @param maxClockSkew how far {@code ts} may be from the time of receipt, either way */
    public DeviceMessageValidator(Duration maxClockSkew) {
        if (maxClockSkew.isNegative()) {
            throw new IllegalArgumentException("the allowed clock skew must not be negative: " + maxClockSkew);
        }
        this.maxClockSkew = maxClockSkew;
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
        telemetrySchemas = Map.of(TELEMETRY_SCHEMA_VERSION, load(registry, "telemetry-reading-v1.schema.json"));
        statusSchema = load(registry, "table-status-v1.schema.json");
    }

    /**
     * @param receivedAt when the message reached the platform: the time the table's {@code ts} is judged against
     */
    public ValidationResult validate(String mqttTopic, byte[] payload, Instant receivedAt) {
        try {
            return validateOrThrow(mqttTopic, payload, receivedAt);
        } catch (Rejection rejection) {
            return new ValidationResult.Rejected(DeviceTopic.kafkaKeyOf(mqttTopic), rejection.reason);
        }
    }

    private ValidationResult validateOrThrow(String mqttTopic, byte[] payload, Instant receivedAt) {
        if (payload.length > MAX_PAYLOAD_BYTES) {
            throw reject(RejectReason.WHOLE_MESSAGE, Rule.PAYLOAD_TOO_LARGE,
                    "payload is " + payload.length + " bytes, the limit is " + MAX_PAYLOAD_BYTES);
        }
        DeviceTopic topic = parseTopic(mqttTopic);
        requireUtf8(payload);
        JsonNode message = parseJsonObject(payload);
        return switch (topic.kind()) {
            case TELEMETRY -> new ValidationResult.Reading(toReading(topic, message, receivedAt));
            case STATUS -> new ValidationResult.Status(toStatus(topic, message, receivedAt));
        };
    }

    private static DeviceTopic parseTopic(String mqttTopic) {
        try {
            return DeviceTopic.parse(mqttTopic);
        } catch (DeviceTopic.InvalidTopicException e) {
            throw reject("topic", Rule.INVALID_TOPIC, e.getMessage());
        }
    }

    private static void requireUtf8(byte[] payload) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(payload));
        } catch (CharacterCodingException e) {
            throw reject(RejectReason.WHOLE_MESSAGE, Rule.NOT_UTF8, "payload is not valid UTF-8: " + e.getMessage());
        }
    }

    private JsonNode parseJsonObject(byte[] payload) {
        JsonNode node;
        try {
            node = json.readTree(payload);
        } catch (JacksonException e) {
            throw reject(RejectReason.WHOLE_MESSAGE, Rule.MALFORMED_JSON, "payload is not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")"));
        }
        if (node == null || !node.isObject()) {
            throw reject(RejectReason.WHOLE_MESSAGE, Rule.MALFORMED_JSON, "payload must be a JSON object");
        }
        return node;
    }

    private TelemetryReading toReading(DeviceTopic topic, JsonNode message, Instant receivedAt) {
        check(message, telemetrySchemaFor(message));
        requireSameId(message, "fleetId", topic.fleetId());
        requireSameId(message, "tableId", topic.tableId());
        Instant ts = parseTimestamp(message.get("ts").asString());
        requireNotBefore(ts, receivedAt);
        requireNotAhead(ts, receivedAt);
        JsonNode sessionId = message.get("sessionId");
        return new TelemetryReading(topic.fleetId(), topic.tableId(),
                message.get("seq").asLong(),
                ts,
                sessionId == null || sessionId.isNull() ? null : sessionId.asString(),
                message.get("angleDeg").asDouble(),
                message.get("elapsedS").asDouble(),
                message.get("locked").asBoolean());
    }

    private Schema telemetrySchemaFor(JsonNode message) {
        JsonNode version = message.get("schema");
        if (version == null) {
            throw reject("schema", Rule.MISSING_FIELD, "required property 'schema' (the payload schema version) is missing");
        }
        if (!version.isIntegralNumber()) {
            throw reject("schema", Rule.WRONG_TYPE, "schema must be an integer version number, was " + version);
        }
        Schema schema = version.canConvertToInt() ? telemetrySchemas.get(version.asInt()) : null;
        if (schema == null) {
            throw reject("schema", Rule.UNSUPPORTED_SCHEMA,
                    "schema version " + version + " is not supported; supported: " + telemetrySchemas.keySet());
        }
        return schema;
    }

    private TableStatus toStatus(DeviceTopic topic, JsonNode message, Instant receivedAt) {
        check(message, statusSchema);
        TableStatus.State state = TableStatus.State.valueOf(message.get("state").asString().toUpperCase(Locale.ROOT));
        Instant ts = parseTimestamp(message.get("ts").asString());
        requireNotAhead(ts, receivedAt);
        return new TableStatus(topic.fleetId(), topic.tableId(), state, ts, optionalText(message, "firmware"), optionalText(message, "model"));
    }

    private static String optionalText(JsonNode message, String field) {
        JsonNode value = message.get(field);
        return value == null ? null : value.asString();
    }

    private void requireNotBefore(Instant ts, Instant receivedAt) {
        if (ts.isBefore(receivedAt.minus(maxClockSkew))) {
            throw reject("ts", Rule.OUT_OF_RANGE, "ts " + ts + " is more than " + maxClockSkew + " before the time of receipt "
                    + receivedAt + ": the table's clock is wrong");
        }
    }

    private void requireNotAhead(Instant ts, Instant receivedAt) {
        if (ts.isAfter(receivedAt.plus(maxClockSkew))) {
            throw reject("ts", Rule.OUT_OF_RANGE, "ts " + ts + " is more than " + maxClockSkew + " after the time of receipt "
                    + receivedAt + ": the table's clock is wrong");
        }
    }

    /**
     * A number no long or double can hold (such as 1E+309) is refused before the schema sees it: the
     * schema library fails on it instead of answering (found by DeviceMessageFuzzBudgetTest).
     */
    private static void requireNumbersInRange(JsonNode message) {
        message.properties().forEach(property -> {
            JsonNode value = property.getValue();
            if (value.isNumber() && (!Double.isFinite(value.numberValue().doubleValue()) || value.isIntegralNumber() && !value.canConvertToLong())) {
                throw reject(property.getKey(), Rule.OUT_OF_RANGE, property.getKey() + " is a number out of any allowed range: " + value);
            }
        });
    }

    private static void check(JsonNode message, Schema schema) {
        requireNumbersInRange(message);
        List<Error> errors = schema.validate(message);
        if (errors.isEmpty()) {
            return;
        }
        Error first = errors.get(0);
        String detail = errors.stream().map(Error::getMessage).collect(Collectors.joining("; "));
        throw reject(fieldOf(first), ruleOf(first.getKeyword()), detail);
    }

    private static String fieldOf(Error error) {
        if ("required".equals(error.getKeyword()) && error.getProperty() != null) {
            return error.getProperty();
        }
        String field = error.getInstanceLocation().toString().replaceFirst("^(\\$\\.?|/)", "");
        return field.isEmpty() ? RejectReason.WHOLE_MESSAGE : field;
    }

    private static Rule ruleOf(String keyword) {
        return switch (keyword) {
            case "required" -> Rule.MISSING_FIELD;
            case "type" -> Rule.WRONG_TYPE;
            case "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum" -> Rule.OUT_OF_RANGE;
            case "pattern", "minLength", "maxLength", "format" -> Rule.INVALID_FORMAT;
            default -> Rule.INVALID_VALUE;
        };
    }

    private static void requireSameId(JsonNode message, String field, String topicId) {
        JsonNode value = message.get(field);
        if (value != null && !value.asString().equals(topicId)) {
            throw reject(field, Rule.ID_MISMATCH, field + " '" + value.asString() + "' in the payload differs from '" + topicId + "' in the topic");
        }
    }

    private static Instant parseTimestamp(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw reject("ts", Rule.INVALID_FORMAT, "ts '" + text + "' is not an ISO-8601 UTC timestamp such as 2026-11-25T10:15:30.250Z");
        }
    }

    private static Schema load(SchemaRegistry registry, String resource) {
        try (InputStream in = DeviceMessageValidator.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("schema resource missing from the contract jar: " + resource);
            }
            return registry.getSchema(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Rejection reject(String field, Rule rule, String detail) {
        return new Rejection(new RejectReason(field, rule, detail));
    }

    /** Carries the first broken rule out of the nested checks; never leaves this class. */
    private static final class Rejection extends RuntimeException {
        private final transient RejectReason reason;

        Rejection(RejectReason reason) {
            super(reason.detail(), null, false, false);
            this.reason = reason;
        }
    }
}
