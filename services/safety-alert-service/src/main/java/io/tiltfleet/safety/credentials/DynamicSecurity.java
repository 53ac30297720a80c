package io.tiltfleet.safety.credentials;

import io.tiltfleet.contract.DevicePayloads;
import io.tiltfleet.contract.TableStatus;
import io.tiltfleet.contract.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Mosquitto's dynamic-security plugin, spoken to over its control topic: a table's account is created or given a new
 * password, bound to the table's own topics and to its account name as client id, or disabled, which also drops its
 * connection. Each change signs in anew as the plugin's administrator, one at a time on this instance: the broker binds
 * client ids to accounts, so two sessions of the administrator at once would drop each other.
 */
@Component
class DynamicSecurity {

    private static final Logger log = LoggerFactory.getLogger(DynamicSecurity.class);
    private static final String COMMANDS = "$CONTROL/dynamic-security/v1";
    private static final String RESPONSES = COMMANDS + "/response";

    private final BrokerAdministration broker;
    private final JsonMapper json;
    private final Clock clock;
    private final Semaphore oneAtATime = new Semaphore(1);

    DynamicSecurity(BrokerAdministration broker, JsonMapper json, Clock clock) {
        this.broker = broker;
        this.json = json;
        this.clock = clock;
    }

    /** The broker answered that it did not make the change (or there is no broker to ask): nothing changed. */
    static final class BrokerRefused extends RuntimeException {
        BrokerRefused(String message) {
            super(message);
        }
    }

    /** The broker did not answer in time (or dropped this connection): the change may or may not have been made. */
    static final class BrokerUnanswered extends RuntimeException {
        BrokerUnanswered(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Creates the table's account with this password, or gives the existing one this password and enables it: one batch
     * of commands, so that no other change of the account (a revocation) comes between them.
     */
    void issue(String fleetId, String tableId, String username, String password) {
        String role = username;
        List<String> topics = List.of(Topics.mqttTelemetryTopic(fleetId, tableId), Topics.mqttStatusTopic(fleetId, tableId));
        List<String> errors = run(List.of(
                command("createRole", Map.of("rolename", role, "acls", topics.stream()
                        .map(topic -> Map.of("acltype", "publishClientSend", "topic", topic, "allow", true)).toList())),
                command("createClient", Map.of("username", username, "password", password, "clientid", username,
                        "roles", List.of(Map.of("rolename", role)))),
                command("setClientPassword", Map.of("username", username, "password", password)),
                command("enableClient", Map.of("username", username))), null);
        refuseUnless(errors.get(0), "creating the role of " + username, true);
        refuseUnless(errors.get(1), "creating " + username, true);
        refuseUnless(errors.get(2), "setting the password of " + username, false);
        refuseUnless(errors.get(3), "enabling " + username, false);
    }

    /**
     * Disables the account: the broker drops its connection at once, without its Last Will, and refuses it from then on;
     * so the table's retained status is set offline here, as its Last Will would have. That needs the administrator to
     * be allowed to publish the tables' status (the seed and the local run allow it; changing the administrator's role
     * here would drop this very session): where it is not, the table stays shown online until it is heard of again.
     */
    void revoke(String fleetId, String tableId, String username) {
        List<String> errors = run(List.of(command("disableClient", Map.of("username", username))),
                new Retained(Topics.mqttStatusTopic(fleetId, tableId), DevicePayloads.status(TableStatus.State.OFFLINE, clock.instant())));
        refuseUnless(errors.get(0), "disabling " + username, false);
    }

    /** A retained message published once the commands are answered. */
    private record Retained(String topic, byte[] payload) {
    }

    private static Map<String, Object> command(String name, Map<String, Object> fields) {
        Map<String, Object> command = new LinkedHashMap<>(fields);
        command.put("command", name);
        command.put("correlationData", UUID.randomUUID().toString());
        return command;
    }

    private static boolean alreadyExists(String error) {
        return error != null && error.toLowerCase(Locale.ROOT).contains("already exists");
    }

    /** @param existsIsFine an error saying that it exists already means the state wanted is there */
    private static void refuseUnless(String error, String doing, boolean existsIsFine) {
        if (error != null && !(existsIsFine && alreadyExists(error))) {
            throw new BrokerRefused("the broker refused " + doing + ": " + error);
        }
    }

    /**
     * Sends the commands in one batch and waits for their answers, all within the broker timeout; then publishes
     * {@code afterwards}, if any.
     *
     * @return per command, in order, the broker's error, null where it succeeded
     */
    private List<String> run(List<Map<String, Object>> commands, Retained afterwards) {
        if (!broker.configured()) {
            throw new BrokerRefused("no broker to administer is configured (tiltfleet.safety.broker.uri)");
        }
        long deadline = System.nanoTime() + broker.timeout().toNanos();
        try {
            if (!oneAtATime.tryAcquire(left(deadline), TimeUnit.MILLISECONDS)) {
                throw new BrokerRefused("another change of broker accounts is still under way on this instance");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerRefused("interrupted");
        }
        MqttAsyncClient client = null;
        boolean sent = false;
        try {
            client = new MqttAsyncClient(broker.uri(), "tiltfleet-admin-" + UUID.randomUUID(), new MemoryPersistence());
            CompletableFuture<JsonNode> answered = new CompletableFuture<>();
            client.setCallback(new Answers(answered));
            MqttConnectionOptions options = new MqttConnectionOptions();
            options.setUserName(broker.adminUsername());
            options.setPassword(broker.adminPassword() == null ? null : broker.adminPassword().getBytes(StandardCharsets.UTF_8));
            options.setCleanStart(true);
            options.setAutomaticReconnect(false);
            client.connect(options).waitForCompletion(left(deadline));
            client.subscribe(RESPONSES, 1).waitForCompletion(left(deadline));
            sent = true;
            client.publish(COMMANDS, new MqttMessage(json.writeValueAsBytes(Map.of("commands", commands)), 1, false, null))
                    .waitForCompletion(left(deadline));
            List<String> errors = errors(answered.get(left(deadline), TimeUnit.MILLISECONDS), commands);
            if (afterwards != null && errors.stream().allMatch(error -> error == null || alreadyExists(error))) {
                publishAfterwards(client, afterwards, deadline);
            }
            return errors;
        } catch (MqttException | ExecutionException | TimeoutException e) {
            if (!sent) {
                throw new BrokerRefused("the broker could not be reached (" + broker.uri() + "): " + e);
            }
            throw new BrokerUnanswered("the broker did not confirm the change (" + broker.uri() + "): " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerUnanswered("interrupted", e);
        } finally {
            close(client);
            oneAtATime.release();
        }
    }

    /** What follows a change the broker confirmed: its failing leaves the change as it is (and is logged). */
    private static void publishAfterwards(MqttAsyncClient client, Retained afterwards, long deadline) {
        try {
            client.publish(afterwards.topic(), new MqttMessage(afterwards.payload(), 1, true, null)).waitForCompletion(left(deadline));
        } catch (MqttException e) {
            log.warn("The retained message on {} after a confirmed change was not published: {}", afterwards.topic(), e.toString());
        }
    }

    /** Milliseconds left before the deadline, at least one: Paho takes 0 for "wait for ever". */
    private static long left(long deadline) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    }

    private static List<String> errors(JsonNode answer, List<Map<String, Object>> commands) {
        Map<String, String> byCorrelation = new LinkedHashMap<>();
        answer.path("responses").forEach(response -> byCorrelation.put(response.path("correlationData").asString(""),
                response.hasNonNull("error") ? response.get("error").asString() : null));
        List<String> errors = new ArrayList<>(commands.size());
        for (Map<String, Object> command : commands) {
            String id = (String) command.get("correlationData");
            if (!byCorrelation.containsKey(id)) {
                throw new BrokerUnanswered("the broker's answer did not cover the command " + command.get("command"), null);
            }
            errors.add(byCorrelation.get(id));
        }
        return errors;
    }

    private static void close(MqttAsyncClient client) {
        if (client == null) {
            return;
        }
        try {
            if (client.isConnected()) {
                client.disconnect().waitForCompletion(1000);
            }
            client.close();
        } catch (MqttException ignored) {
            // the change is done or failed already: a connection that does not close cleanly changes nothing
        }
    }

    /** The plugin's answer to the commands sent: the first message on the response topic. */
    private final class Answers implements MqttCallback {
        private final CompletableFuture<JsonNode> answered;

        Answers(CompletableFuture<JsonNode> answered) {
            this.answered = answered;
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            answered.complete(json.readTree(message.getPayload()));
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {
            answered.completeExceptionally(new BrokerUnanswered("the broker dropped the administrator's connection (another administrator "
                    + "session signed in?): " + response, null));
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
            answered.completeExceptionally(exception);
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
            // the answer, not the delivery, tells whether the change was made
        }

        @Override
        public void connectComplete(boolean reconnect, String serverUri) {
            // nothing to do before the commands are sent
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
            // the administrator signs in with a password only
        }
    }
}
