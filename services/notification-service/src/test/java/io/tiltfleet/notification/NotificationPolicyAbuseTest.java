package io.tiltfleet.notification;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiltfleet.embedded.MongoStandIn;
import io.tiltfleet.embedded.Ports;
import io.tiltfleet.embedded.RunningService;
import io.tiltfleet.embedded.SharedBrokers;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;

/**
 * Bad policies as production configures the service (https only, no private addresses): each is a 400 problem
 * body naming the faulty field, and nothing is stored. Literal public addresses keep DNS out of the test.
 */
class NotificationPolicyAbuseTest {

    static final String HOOK = "{\"id\": \"ops\", \"kind\": \"WEBHOOK\", \"url\": \"https://93.184.216.34/hook\", \"secret\": \"0123456789abcdef\"}";
    static final String RULE = "{\"tiers\": [{\"after\": \"PT0S\", \"channels\": [\"ops\"]}]}";
    static MongoStandIn mongo;
    static RunningService strict;

    @BeforeAll
    static void start() {
        mongo = MongoStandIn.start(Ports.free());
        strict = RunningService.of(NotificationApplication.builder()).kafka(SharedBrokers.kafka().bootstrapServers()).mongo(mongo.uri("strict"))
                .with("--spring.kafka.consumer.group-id=notification-abuse", "--tiltfleet.notification.ack-link-secret=" + RunningNotifications.SECRET)
                .start();
    }

    @AfterAll
    static void stop() {
        strict.close();
        mongo.close();
    }

    static String body(String channels, String rules) {
        return "{\"channels\": [" + channels + "], \"rules\": [" + rules + "]}";
    }

    static String hook(String url) {
        return HOOK.replace("https://93.184.216.34/hook", url);
    }

    @Test
    void aGoodPolicyIsStoredAndEachChangeAuditedWithoutItsSecret() throws Exception {
        assertThat(RunningNotifications.putPolicy(strict, "fine", body(HOOK, RULE)).statusCode()).isEqualTo(200);
        assertThat(RunningNotifications.putPolicy(strict, "fine", body(HOOK.replace("\"ops\"", "\"ops-2\""),
                RULE.replace("\"ops\"", "\"ops-2\""))).statusCode()).isEqualTo(200);

        @SuppressWarnings("rawtypes")
        List<Map> trail = auditOf("fine");
        assertThat(trail).hasSize(2).allSatisfy(entry -> assertThat(entry).containsEntry("what", "notification-policy"));
        assertThat(trail.get(0).get("before")).isNull();
        assertThat(trail.get(1).get("before").toString()).contains("ops").contains("secretSet=true");
        assertThat(trail.toString()).doesNotContain("0123456789abcdef").doesNotContain("/hook").contains("93.184.216.34");
    }

    /** The fleet's entries of the audit trail the safety service serves, oldest first. */
    @SuppressWarnings("rawtypes")
    private static List<Map> auditOf(String fleetId) {
        return strict.bean(ReactiveMongoTemplate.class).find(Query.query(Criteria.where("fleetId").is(fleetId)).with(Sort.by("at")), Map.class, "audit")
                .collectList().block();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            // case                 | field named in the problem
            "unknown-kind           | channels[0].kind",
            "unknown-type           | rules[0].types[0]",
            "unknown-severity       | rules[0].severities[0]",
            "duplicate-channel-id   | channels[1].id",
            "tier-unknown-channel   | rules[0].tiers[0].channels[0]",
            "tiers-not-ascending    | rules[0].tiers[1].after",
            "negative-duration      | rules[0].tiers[0].after",
            "absurd-duration        | rules[0].tiers[0].after",
            "not-a-duration         | rules[0].tiers[0].after",
            "remind-under-a-minute  | rules[0].remindEvery",
            "webhook-without-secret | channels[0].secret",
            "secret-too-short       | channels[0].secret",
            "email-no-recipients    | channels[0].recipients",
            "email-invalid-address  | channels[0].recipients[0]",
            "email-header-injection | channels[0].recipients[0]",
            "too-many-channels      | channels",
            "too-many-recipients    | channels[0].recipients",
            "no-rules               | rules",
            "url-not-absolute       | channels[0].url",
            "url-user-info          | channels[0].url",
            "url-plain-http         | channels[0].url",
            "url-loopback           | channels[0].url",
            "url-localhost-name     | channels[0].url",
            "url-ipv6-loopback      | channels[0].url",
            "url-private            | channels[0].url",
            "url-link-local-metadata| channels[0].url",
            "url-multicast          | channels[0].url",
            "url-unspecified        | channels[0].url",
            "unknown-property       | surprise"})
    void aBadPolicyIsA400NamingTheField(String name, String field) throws Exception {
        HttpResponse<String> response = RunningNotifications.putPolicy(strict, "clinic-x", bad(name));

        System.out.println("ABUSE notification " + name + " -> " + response.statusCode());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).contains("application/problem+json"));
        assertThat(response.body()).contains(field);
        assertThat(strict.send("GET", "/api/fleets/clinic-x/notification-policies", null, RunningNotifications.EVERY_FLEET).statusCode()).isEqualTo(404);
        assertThat(auditOf("clinic-x")).isEmpty();
    }

    static String bad(String name) {
        return switch (name) {
            case "unknown-kind" -> body(HOOK.replace("WEBHOOK", "PIGEON"), RULE);
            case "unknown-type" -> body(HOOK, RULE.replace("{\"tiers\"", "{\"types\": [\"BORED\"], \"tiers\""));
            case "unknown-severity" -> body(HOOK, RULE.replace("{\"tiers\"", "{\"severities\": [\"MILD\"], \"tiers\""));
            case "duplicate-channel-id" -> body(HOOK + ", " + HOOK, RULE);
            case "tier-unknown-channel" -> body(HOOK, RULE.replace("[\"ops\"]", "[\"nobody\"]"));
            case "tiers-not-ascending" -> body(HOOK, "{\"tiers\": [{\"after\": \"PT5M\", \"channels\": [\"ops\"]}, {\"after\": \"PT1M\", \"channels\": [\"ops\"]}]}");
            case "negative-duration" -> body(HOOK, RULE.replace("PT0S", "-PT5M"));
            case "absurd-duration" -> body(HOOK, RULE.replace("PT0S", "P3650D"));
            case "not-a-duration" -> body(HOOK, RULE.replace("PT0S", "5 minutes"));
            case "remind-under-a-minute" -> body(HOOK, RULE.substring(0, RULE.length() - 1) + ", \"remindEvery\": \"PT30S\"}");
            case "webhook-without-secret" -> body(HOOK.replace(", \"secret\": \"0123456789abcdef\"", ""), RULE);
            case "secret-too-short" -> body(HOOK.replace("0123456789abcdef", "short"), RULE);
            case "email-no-recipients" -> body("{\"id\": \"ops\", \"kind\": \"EMAIL\", \"recipients\": []}", RULE);
            case "email-invalid-address" -> body("{\"id\": \"ops\", \"kind\": \"EMAIL\", \"recipients\": [\"nurse-at-clinic\"]}", RULE);
            case "email-header-injection" -> body("{\"id\": \"ops\", \"kind\": \"EMAIL\", \"recipients\": [\"a@b.example\\r\\nBcc: x@y.example\"]}", RULE);
            case "too-many-channels" -> body(IntStream.range(0, 21).mapToObj(i -> HOOK.replace("\"ops\"", "\"ops" + i + "\"")).collect(Collectors.joining(", ")),
                    RULE.replace("[\"ops\"]", "[\"ops0\"]"));
            case "too-many-recipients" -> body("{\"id\": \"ops\", \"kind\": \"EMAIL\", \"recipients\": [" + IntStream.range(0, 11)
                    .mapToObj(i -> "\"n" + i + "@clinic.example\"").collect(Collectors.joining(", ")) + "]}", RULE);
            case "no-rules" -> body(HOOK, "");
            case "url-not-absolute" -> body(hook("/hook"), RULE);
            case "url-user-info" -> body(hook("https://admin:pw@93.184.216.34/hook"), RULE);
            case "url-plain-http" -> body(hook("http://93.184.216.34/hook"), RULE);
            case "url-loopback" -> body(hook("https://127.0.0.1:8082/api/alerts"), RULE);
            case "url-localhost-name" -> body(hook("https://localhost/hook"), RULE);
            case "url-ipv6-loopback" -> body(hook("https://[::1]/hook"), RULE);
            case "url-private" -> body(hook("https://10.0.0.8/hook"), RULE);
            case "url-link-local-metadata" -> body(hook("https://169.254.169.254/latest/meta-data"), RULE);
            case "url-multicast" -> body(hook("https://224.0.0.251/hook"), RULE);
            case "url-unspecified" -> body(hook("https://0.0.0.0/hook"), RULE);
            case "unknown-property" -> "{\"surprise\": true, " + body(HOOK, RULE).substring(1);
            default -> throw new IllegalArgumentException(name);
        };
    }
}
