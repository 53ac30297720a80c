package io.tiltfleet.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.Test;

/**
 * Fuzzing of the ingest's parser and validator for a fixed time budget (system property
 * {@code tiltfleet.fuzz.seconds}, 15 s in CI): jqwik generates topics and payloads, from well-formed
 * messages with fields of every JSON type and range to mutated valid ones and raw bytes, and every one
 * must come back accepted or rejected with a rule and a reason, never as an exception. Prints how many
 * inputs it tried and what came of them.
 */
class DeviceMessageFuzzBudgetTest {

    record Message(String topic, byte[] payload) {
    }

    final DeviceMessageValidator validator = new DeviceMessageValidator();

    @Test
    void everyGeneratedMessageIsAcceptedOrRejectedWithAReasonForTheWholeBudget() {
        Duration budget = Duration.ofSeconds(Long.getLong("tiltfleet.fuzz.seconds", 15));
        Iterator<Message> inputs = messages().sampleStream().iterator();
        Map<String, Long> outcomes = new TreeMap<>();
        long tried = 0;
        long deadline = System.nanoTime() + budget.toNanos();
        while (System.nanoTime() < deadline) {
            Message message = inputs.next();
            ValidationResult result = validator.validate(message.topic(), message.payload(), DeviceMessageValidatorTest.RECEIVED);
            assertThat(result).as("answer to %s %s", message.topic(), new String(message.payload(), StandardCharsets.UTF_8)).isNotNull();
            if (result instanceof ValidationResult.Rejected rejected) {
                assertThat(rejected.reason().rule()).isNotNull();
                assertThat(rejected.reason().detail()).isNotBlank();
                outcomes.merge("rejected " + rejected.reason().rule(), 1L, Long::sum);
            } else {
                outcomes.merge(result instanceof ValidationResult.Reading ? "accepted reading" : "accepted status", 1L, Long::sum);
            }
            tried++;
        }
        System.out.printf("FUZZ device messages: %,d inputs in %d s, no exception; %s%n", tried, budget.toSeconds(), outcomes);
        assertThat(outcomes).as("the generator reaches both answers").containsKeys("accepted reading", "accepted status");
        assertThat(outcomes.keySet().stream().filter(outcome -> outcome.startsWith("rejected")).count()).isGreaterThanOrEqualTo(5);
    }

    private static Arbitrary<Message> messages() {
        Arbitrary<String> topics = Arbitraries.frequencyOf(
                Tuple.of(8, Combinators.combine(ids(), ids(), Arbitraries.of("telemetry", "status"))
                        .as((fleet, table, kind) -> "fleets/" + fleet + "/tables/" + table + "/" + kind)),
                Tuple.of(1, Arbitraries.strings().withChars("fleets/tabl+#$e-_.%\u0000é").ofMaxLength(80)));
        Arbitrary<byte[]> payloads = Arbitraries.frequencyOf(
                Tuple.of(5, jsonObjects().map(json -> json.getBytes(StandardCharsets.UTF_8))),
                Tuple.of(3, mutations()),
                Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMaxSize(400)));
        return Combinators.combine(topics, payloads).as(Message::new);
    }

    /** Objects of the payload's own fields (and strangers), each with a value of any JSON type or range. */
    private static Arbitrary<String> jsonObjects() {
        Arbitrary<String> field = Arbitraries.of("schema", "seq", "ts", "sessionId", "angleDeg", "elapsedS", "locked", "state",
                "fleetId", "tableId", "$where", "__proto__", "");
        Arbitrary<String> member = Combinators.combine(field, values()).as((name, value) -> "\"" + name + "\":" + value);
        return Arbitraries.frequencyOf(
                Tuple.of(3, member.list().ofMaxSize(9).map(members -> "{" + String.join(",", members) + "}")),
                Tuple.of(2, Combinators.combine(values(), values(), values(), values(), values()).as((seq, ts, angle, elapsed, state) ->
                        "{\"schema\":1,\"seq\":" + seq + ",\"ts\":" + ts + ",\"sessionId\":\"s-1\",\"angleDeg\":" + angle
                                + ",\"elapsedS\":" + elapsed + ",\"locked\":true,\"state\":" + state + "}")),
                Tuple.of(1, Arbitraries.of(
                        "{\"schema\":1,\"seq\":7,\"ts\":\"2026-11-25T10:15:30Z\",\"sessionId\":\"s-1\",\"angleDeg\":35.5,\"elapsedS\":12,\"locked\":true}",
                        "{\"schema\":1,\"state\":\"online\",\"ts\":\"2026-11-25T10:15:30Z\"}",
                        "{\"schema\":1,\"state\":\"offline\",\"ts\":\"2026-11-25T10:15:30Z\"}")));
    }

    private static Arbitrary<String> values() {
        return Arbitraries.oneOf(
                Arbitraries.longs().map(String::valueOf),
                Arbitraries.doubles().between(-1e6, 1e6).map(String::valueOf),
                Arbitraries.of("0", "-0.0", "90", "90.0001", "-1", "1e309", "9223372036854775808", "true", "false", "null", "[]", "{}",
                        "[1,2]", "{\"$ne\":null}", "\"2026-11-25T10:15:30Z\"", "\"2026-13-45T99:99:99Z\"", "\"online\"", "\"offline\"",
                        "\"\"", "\"s-1\""),
                Arbitraries.strings().ofMaxLength(70).map(text -> "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\""));
    }

    /** A valid reading with a few bytes replaced, deleted or repeated. */
    private static Arbitrary<byte[]> mutations() {
        byte[] valid = DeviceMessageValidatorTest.VALID.getBytes(StandardCharsets.UTF_8);
        Arbitrary<Integer> position = Arbitraries.integers().between(0, valid.length - 1);
        return Combinators.combine(position, position, Arbitraries.bytes(), Arbitraries.of("replace", "delete", "repeat"))
                .as((from, to, value, kind) -> mutate(valid, Math.min(from, to), Math.max(from, to), value, kind));
    }

    private static byte[] mutate(byte[] valid, int from, int to, byte value, String kind) {
        String text = new String(valid, StandardCharsets.ISO_8859_1);
        String mutated = switch (kind) {
            case "replace" -> text.substring(0, from) + (char) (value & 0xff) + text.substring(from + 1);
            case "delete" -> text.substring(0, from) + text.substring(to);
            default -> text.substring(0, to) + text.substring(from, to) + text.substring(to);
        };
        return mutated.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static Arbitrary<String> ids() {
        return Arbitraries.frequencyOf(
                Tuple.of(9, Arbitraries.strings().withChars("abcXYZ019_-").ofMinLength(1).ofMaxLength(64)),
                Tuple.of(1, Arbitraries.strings().ofMaxLength(70)));
    }
}
