package io.tiltfleet.notification;

import io.tiltfleet.contract.AlertChange;
import io.tiltfleet.contract.SafetyAlertEvent;
import io.tiltfleet.contract.TableRef;
import io.tiltfleet.contract.Topics;
import io.tiltfleet.embedded.RunningService;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import tools.jackson.databind.json.JsonMapper;

/** The notification service started in this JVM, and what its tests do with it: publish alert changes, call its API. */
final class RunningNotifications {

    static final String SECRET = "test-ack-link-secret-of-32-characters-at-least";
    static final Map<String, String> EVERY_FLEET = Map.of("X-TiltFleet-Fleets", "*", "X-TiltFleet-Caller", "notification-test",
            "Content-Type", "application/json");
    static final JsonMapper JSON = JsonMapper.builder().build();

    private RunningNotifications() {
    }

    /** With loopback receivers allowed, quick retries, a short send timeout; {@code more} may set any of these otherwise. */
    static RunningService start(String kafka, String mongoUri, String group, String... more) {
        List<String> defaults = List.of("--spring.kafka.consumer.group-id=" + group, "--tiltfleet.notification.ack-link-secret=" + SECRET,
                "--tiltfleet.notification.allow-plain-http=true", "--tiltfleet.notification.allow-private-addresses=true",
                "--tiltfleet.notification.send-timeout=2s", "--tiltfleet.notification.delivery.initial-backoff=500ms",
                "--tiltfleet.notification.delivery.max-backoff=2s");
        // a property given twice on the command line binds as a list ("500ms,1s"), which no Duration parses
        List<String> overridden = Arrays.stream(more).map(RunningNotifications::name).toList();
        return RunningService.of(NotificationApplication.builder()).kafka(kafka).mongo(mongoUri)
                .with(defaults.stream().filter(argument -> !overridden.contains(name(argument))).toList())
                .with(more).start();
    }

    private static String name(String argument) {
        return argument.substring(0, argument.indexOf('='));
    }

    static void createAlertTopic(String kafka) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka))) {
            if (!admin.listTopics().names().get().contains(Topics.SAFETY_ALERTS)) {
                admin.createTopics(List.of(new NewTopic(Topics.SAFETY_ALERTS, 3, (short) 1))).all().get();
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the alert topic", e);
        }
    }

    static SafetyAlertEvent alert(String alertId, String fleetId, AlertChange change, String severity, String state, Instant raisedAt, Instant updatedAt) {
        return new SafetyAlertEvent(alertId, fleetId, "t-1", change, "OVER_ANGLE", severity, state, "angle 82 deg above the limit of 60",
                raisedAt, updatedAt, null, null, "Berlin-Mitte, Room 3, Bed 7");
    }

    static void publish(String kafka, SafetyAlertEvent... events) {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka,
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer())) {
            for (SafetyAlertEvent event : events) {
                producer.send(new ProducerRecord<>(Topics.SAFETY_ALERTS, new TableRef(event.fleetId(), event.tableId()).key(),
                        JSON.writeValueAsBytes(event)));
            }
            producer.flush();
        }
    }

    static HttpResponse<String> putPolicy(RunningService service, String fleetId, String body) throws IOException {
        return service.send("PUT", "/api/fleets/" + fleetId + "/notification-policies", body, EVERY_FLEET);
    }
}
