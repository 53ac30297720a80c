package io.tiltfleet.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiltfleet.contract.RejectReason.Rule;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DeviceMessageValidatorTest {

    static final String TOPIC = "fleets/clinic-1/tables/t-07/telemetry";
    static final String VALID = """
            {"schema":1,"seq":42,"ts":"2026-11-25T10:15:30.250Z","sessionId":"s-7f3a","angleDeg":47.5,"elapsedS":95.0,"locked":true}""";
    /** When the messages of these tests reach the ingest: shortly after VALID's ts. */
    static final Instant RECEIVED = Instant.parse("2026-11-25T10:15:31Z");

    final DeviceMessageValidator validator = new DeviceMessageValidator();

    @Test
    void validTelemetryBecomesAReadingWithTheIdsOfItsTopic() {
        ValidationResult result = validator.validate(TOPIC, bytes(VALID), RECEIVED);

        assertThat(result).isEqualTo(new ValidationResult.Reading(new TelemetryReading("clinic-1", "t-07", 42,
                Instant.parse("2026-11-25T10:15:30.250Z"), "s-7f3a", 47.5, 95.0, true)));
    }

    @Test
    void readingWithoutSessionAndWithUnknownExtraFieldsIsAccepted() {
        String idle = """
                {"schema":1,"seq":0,"ts":"2026-11-25T10:00:00Z","angleDeg":-70,"elapsedS":0,"locked":false,"firmware":"2.1"}""";

        ValidationResult result = validator.validate(TOPIC, bytes(idle), RECEIVED);

        assertThat(result).isInstanceOfSatisfying(ValidationResult.Reading.class, r -> {
            assertThat(r.reading().sessionId()).isNull();
            assertThat(r.reading().angleDeg()).isEqualTo(-70.0);
        });
    }

    @Test
    void payloadIdsThatMatchTheTopicAreAccepted() {
        String withIds = VALID.replace("{", "{\"fleetId\":\"clinic-1\",\"tableId\":\"t-07\",");

        assertThat(validator.validate(TOPIC, bytes(withIds), RECEIVED)).isInstanceOf(ValidationResult.Reading.class);
    }

    @Test
    void statusMessageBecomesATableStatus() {
        ValidationResult result = validator.validate("fleets/clinic-1/tables/t-07/status",
                bytes("{\"state\":\"offline\",\"ts\":\"2026-11-25T10:15:30Z\"}"), RECEIVED);

        assertThat(result).isEqualTo(new ValidationResult.Status(new TableStatus("clinic-1", "t-07",
                TableStatus.State.OFFLINE, Instant.parse("2026-11-25T10:15:30Z"))));
    }

    @Test
    void aStatusMayCarryTheTablesFirmwareAndModel() {
        ValidationResult result = validator.validate("fleets/clinic-1/tables/t-07/status",
                bytes("{\"state\":\"online\",\"ts\":\"2026-11-25T10:15:30Z\",\"firmware\":\"2.4.1\",\"model\":\"TF-900 Pro\"}"), RECEIVED);

        assertThat(result).isEqualTo(new ValidationResult.Status(new TableStatus("clinic-1", "t-07", TableStatus.State.ONLINE,
                Instant.parse("2026-11-25T10:15:30Z"), "2.4.1", "TF-900 Pro")));
    }

    @Test
    void payloadsWrittenForTheDeviceContractAreAcceptedAsTheSameReading() {
        TelemetryReading reading = new TelemetryReading("clinic-1", "t-07", 7, Instant.parse("2026-11-25T10:15:30.250Z"),
                null, 61.25, 0, false);

        assertThat(validator.validate(TOPIC, DevicePayloads.telemetry(reading), RECEIVED)).isEqualTo(new ValidationResult.Reading(reading));
        assertThat(validator.validate("fleets/clinic-1/tables/t-07/status", DevicePayloads.status(TableStatus.State.ONLINE, reading.ts()), RECEIVED))
                .isEqualTo(new ValidationResult.Status(new TableStatus("clinic-1", "t-07", TableStatus.State.ONLINE, reading.ts())));
    }

    static Stream<Arguments> badInputs() {
        return Stream.of(
                // name, topic, payload, expected field, expected rule
                bad("truncated JSON", TOPIC, bytes(VALID.substring(0, 40)), "$", Rule.MALFORMED_JSON),
                bad("NaN angle", TOPIC, bytes(VALID.replace("47.5", "NaN")), "$", Rule.MALFORMED_JSON),
                bad("angle 500", TOPIC, bytes(VALID.replace("47.5", "500")), "angleDeg", Rule.OUT_OF_RANGE),
                bad("angle -91", TOPIC, bytes(VALID.replace("47.5", "-91")), "angleDeg", Rule.OUT_OF_RANGE),
                bad("angle overflowing a double", TOPIC, bytes(VALID.replace("47.5", "1e400")), "angleDeg", Rule.OUT_OF_RANGE),
                bad("negative elapsed", TOPIC, bytes(VALID.replace("95.0", "-1")), "elapsedS", Rule.OUT_OF_RANGE),
                bad("missing seq", TOPIC, bytes(VALID.replace("\"seq\":42,", "")), "seq", Rule.MISSING_FIELD),
                bad("negative seq", TOPIC, bytes(VALID.replace("42", "-3")), "seq", Rule.OUT_OF_RANGE),
                bad("fractional seq", TOPIC, bytes(VALID.replace("42", "4.2")), "seq", Rule.WRONG_TYPE),
                // found by the fuzzer: these made the validator (or its schema library) throw instead of answering
                bad("seq overflowing every number type", TOPIC, bytes(VALID.replace("42", "1E+309")), "seq", Rule.OUT_OF_RANGE),
                bad("seq past a long", TOPIC, bytes(VALID.replace("42", "9223372036854775808")), "seq", Rule.OUT_OF_RANGE),
                bad("schema version past an int", TOPIC, bytes(VALID.replace("\"schema\":1", "\"schema\":9223372036854775807")), "schema",
                        Rule.UNSUPPORTED_SCHEMA),
                bad("angle as string", TOPIC, bytes(VALID.replace("47.5", "\"47.5\"")), "angleDeg", Rule.WRONG_TYPE),
                bad("locked as number", TOPIC, bytes(VALID.replace("true", "1")), "locked", Rule.WRONG_TYPE),
                bad("1 MiB payload", TOPIC, new byte[1024 * 1024], "$", Rule.PAYLOAD_TOO_LARGE),
                bad("non-UTF-8 bytes", TOPIC, latin1(VALID.replace("s-7f3a", "s-\u00e9t\u00e9")), "$", Rule.NOT_UTF8),
                bad("table id mismatch", TOPIC, bytes(VALID.replace("{", "{\"tableId\":\"t-99\",")), "tableId", Rule.ID_MISMATCH),
                bad("fleet id mismatch", TOPIC, bytes(VALID.replace("{", "{\"fleetId\":\"gym-2\",")), "fleetId", Rule.ID_MISMATCH),
                bad("unknown schema version", TOPIC, bytes(VALID.replace("\"schema\":1", "\"schema\":2")), "schema", Rule.UNSUPPORTED_SCHEMA),
                bad("missing schema version", TOPIC, bytes(VALID.replace("\"schema\":1,", "")), "schema", Rule.MISSING_FIELD),
                bad("timestamp not ISO-8601", TOPIC, bytes(VALID.replace("2026-11-25T10:15:30.250Z", "25/11/2026 10:15")), "ts", Rule.INVALID_FORMAT),
                bad("session id with a slash", TOPIC, bytes(VALID.replace("s-7f3a", "s/7f3a")), "sessionId", Rule.INVALID_FORMAT),
                bad("JSON array instead of object", TOPIC, bytes("[1,2,3]"), "$", Rule.MALFORMED_JSON),
                bad("empty payload", TOPIC, new byte[0], "$", Rule.MALFORMED_JSON),
                bad("duplicate angle key", TOPIC, bytes(VALID.replace("{", "{\"angleDeg\":10,")), "$", Rule.MALFORMED_JSON),
                bad("trailing garbage", TOPIC, bytes(VALID + "}"), "$", Rule.MALFORMED_JSON),
                bad("invalid character in table id", "fleets/clinic-1/tables/t 07/telemetry", bytes(VALID), "topic", Rule.INVALID_TOPIC),
                bad("table id over 64 characters", "fleets/clinic-1/tables/" + "t".repeat(65) + "/telemetry", bytes(VALID), "topic", Rule.INVALID_TOPIC),
                bad("unknown status state", "fleets/clinic-1/tables/t-07/status", bytes("{\"state\":\"sleeping\",\"ts\":\"2026-11-25T10:15:30Z\"}"), "state", Rule.INVALID_VALUE),
                bad("firmware as a number", "fleets/clinic-1/tables/t-07/status", bytes("{\"state\":\"online\",\"ts\":\"2026-11-25T10:15:30Z\",\"firmware\":2}"), "firmware", Rule.WRONG_TYPE),
                bad("firmware of 65 characters", "fleets/clinic-1/tables/t-07/status", bytes("{\"state\":\"online\",\"ts\":\"2026-11-25T10:15:30Z\",\"firmware\":\"" + "1".repeat(65) + "\"}"), "firmware", Rule.INVALID_FORMAT),
                bad("model with a control character", "fleets/clinic-1/tables/t-07/status", bytes("{\"state\":\"online\",\"ts\":\"2026-11-25T10:15:30Z\",\"model\":\"TF\\u0007\"}"), "model", Rule.INVALID_FORMAT));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputs")
    void badInputIsRejectedWithTheFieldAndRuleAtFault(String name, String topic, byte[] payload, String field, Rule rule) {
        ValidationResult result = validator.validate(topic, payload, RECEIVED);

        assertThat(result).isInstanceOfSatisfying(ValidationResult.Rejected.class, rejected -> {
            assertThat(rejected.reason().field()).isEqualTo(field);
            assertThat(rejected.reason().rule()).isEqualTo(rule);
            assertThat(rejected.reason().detail()).isNotBlank();
        });
    }

    @Test
    void everyResultIsKeyedByFleetAndTableSoThatTwoFleetsTablesOfOneIdNeverShareAKey() {
        ValidationResult reading = validator.validate(TOPIC, bytes(VALID), RECEIVED);
        ValidationResult otherFleet = validator.validate("fleets/clinic-2/tables/t-07/telemetry", bytes(VALID), RECEIVED);
        ValidationResult status = validator.validate("fleets/clinic-1/tables/t-07/status",
                bytes("{\"state\":\"online\",\"ts\":\"2026-11-25T10:15:30Z\"}"), RECEIVED);
        ValidationResult rejected = validator.validate(TOPIC, bytes("{"), RECEIVED);

        assertThat(reading.key()).isEqualTo("clinic-1/t-07");
        assertThat(otherFleet.key()).isEqualTo("clinic-2/t-07");
        assertThat(status.key()).isEqualTo("clinic-1/t-07");
        // a reject is keyed by the fleet and table of its topic
        assertThat(rejected.key()).isEqualTo("clinic-1/t-07");
        // and by the whole topic when the topic has no device shape
        assertThat(validator.validate("somewhere/else", bytes(VALID), RECEIVED).key()).isEqualTo("somewhere/else");
    }

    static Stream<Arguments> timestampsAgainstTheTimeOfReceipt() {
        Instant received = Instant.parse("2026-11-25T12:00:00Z");
        return Stream.of(
                // received, ts, accepted?
                Arguments.of(received, "2026-11-25T11:59:59.500Z", true),      // half a second of network delay
                Arguments.of(received, "2026-11-24T12:00:00Z", true),          // exactly the allowed day behind
                Arguments.of(received, "2026-11-26T12:00:00Z", true),          // exactly the allowed day ahead
                Arguments.of(received, "2026-11-24T11:59:59.999Z", false),     // a millisecond beyond a day behind
                Arguments.of(received, "2026-11-27T12:00:00Z", false),         // a clock two days ahead
                Arguments.of(received, "0001-01-01T00:00:00Z", false),         // a clock never set
                Arguments.of(received, "9999-12-31T23:59:59Z", false));        // the far future
    }

    @ParameterizedTest(name = "ts {1} received {0}: accepted {2}")
    @MethodSource("timestampsAgainstTheTimeOfReceipt")
    void aReadingDatedFurtherThanADayFromItsReceiptIsRejectedAsOutOfRange(Instant received, String ts, boolean accepted) {
        ValidationResult result = validator.validate(TOPIC, bytes(VALID.replace("2026-11-25T10:15:30.250Z", ts)), received);

        if (accepted) {
            assertThat(result).isInstanceOfSatisfying(ValidationResult.Reading.class, r -> assertThat(r.reading().ts()).isEqualTo(Instant.parse(ts)));
        } else {
            assertThat(result).isInstanceOfSatisfying(ValidationResult.Rejected.class, rejected -> {
                assertThat(rejected.reason().field()).isEqualTo("ts");
                assertThat(rejected.reason().rule()).isEqualTo(Rule.OUT_OF_RANGE);
                assertThat(rejected.reason().detail()).contains(ts).contains("PT24H").contains("the table's clock is wrong");
            });
        }
    }

    @Test
    void theAllowedSkewIsConfigurable() {
        DeviceMessageValidator strict = new DeviceMessageValidator(Duration.ofMinutes(5));

        assertThat(strict.validate(TOPIC, bytes(VALID), RECEIVED.plus(Duration.ofMinutes(4)))).isInstanceOf(ValidationResult.Reading.class);
        assertThat(strict.validate(TOPIC, bytes(VALID), RECEIVED.plus(Duration.ofMinutes(6)))).isInstanceOf(ValidationResult.Rejected.class);
    }

    @Test
    void aStatusDatedAheadIsRejectedButALastWillDatedAtAnOldConnectIsAccepted() {
        String status = "fleets/clinic-1/tables/t-07/status";

        // a Last Will carries the time its table connected, possibly days before the broker publishes it
        assertThat(validator.validate(status, bytes("{\"state\":\"offline\",\"ts\":\"2026-11-20T08:00:00Z\"}"), RECEIVED))
                .isInstanceOf(ValidationResult.Status.class);
        assertThat(validator.validate(status, bytes("{\"state\":\"online\",\"ts\":\"2026-11-27T10:15:31Z\"}"), RECEIVED))
                .isInstanceOfSatisfying(ValidationResult.Rejected.class, rejected -> {
                    assertThat(rejected.reason().field()).isEqualTo("ts");
                    assertThat(rejected.reason().rule()).isEqualTo(Rule.OUT_OF_RANGE);
                });
    }

    @Test
    void oversizedRejectStoresOnlyTheFirstBytesAndTheOriginalSize() {
        byte[] huge = new byte[1024 * 1024];

        RejectedMessage stored = RejectedMessage.of(TOPIC, Instant.EPOCH,
                new RejectReason("$", Rule.PAYLOAD_TOO_LARGE, "too large"), huge);

        assertThat(stored.payload()).hasSize(DeviceMessageValidator.MAX_PAYLOAD_BYTES);
        assertThat(stored.payloadSize()).isEqualTo(1024 * 1024);
        assertThat(stored.payloadTruncated()).isTrue();
    }

    static Arguments bad(String name, String topic, byte[] payload, String field, Rule rule) {
        return Arguments.of(name, topic, payload, field, rule);
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] latin1(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }
}
