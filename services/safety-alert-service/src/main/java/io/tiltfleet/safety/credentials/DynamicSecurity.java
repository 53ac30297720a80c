package io.tiltfleet.safety.credentials;

import io.tiltfleet.contract.Topics;
import java.nio.charset.StandardCharsets;
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

    private static final String COMMANDS = "$CONTROL/dynamic-security/v1";
    private static final String RESPONSES = COMMANDS + "/response";

    private final BrokerAdministration broker;
    private final JsonMapper json;
    private final Semaphore oneAtATime = new Semaphore(1);

    DynamicSecurity(BrokerAdministration broker, JsonMapper json) {
        this.broker = broker;
        this.json = json;
    }

    /** The broker refused a change, or could not be asked; the message says which and why. */
    static final class BrokerRefused extends RuntimeException {
        BrokerRefused(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Creates the table's account with this password, or gives the existing one this password and enables it. */
    void issue(String fleetId, String tableId, String username, String password) {
        String role = username;
        List<String> topics = List.of(Topics.mqttTelemetryTopic(fleetId, tableId), Topics.mqttStatusTopic(fleetId, tableId));
        Map<String, Object> createRole = command("createRole", Map.of("rolename", role, "acls", topics.stream()
                .map(topic -> Map.of("acltype", "publishClientSend", "topic", topic, "allow", true)).toList()));
        Map<String, Object> createClient = command("createClient", Map.of("username", username, "password", password, "clientid", username,
                "roles", List.of(Map.of("rolename", role))));
        List<String> errors = run(List.of(createRole, createClient));
        refuseUnless(errors.get(0), "creating the role of " + username);
        if (alreadyExists(errors.get(1))) {
            List<String> again = run(List.of(command("setClientPassword", Map.of("username", username, "password", password)),
                    command("enableClient", Map.of("username", username))));
            refuseUnless(again.get(0), "setting the password of " + username);
            refuseUnless(again.get(1), "enabling " + username);
        } else {
            refuseUnless(errors.get(1), "creating " + username);
        }
    }

    /** Disables the account: the broker drops its connection at once and refuses it from then on. */
    void revoke(String username) {
        refuseUnless(run(List.of(command("disableClient", Map.of("username", username)))).get(0), "disabling " + username);
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

    private static void refuseUnless(String error, String doing) {
        if (error != null && !alreadyExists(error)) {
            throw new BrokerRefused("the broker refused " + doing + ": " + error, null);
        }
    }

    /** @return per command, in order, the broker's error, null where it succeeded */
    private List<String> run(List<Map<String, Object>> commands) {
        if (!broker.configured()) {
            throw new BrokerRefused("no broker to administer is configured (tiltfleet.safety.broker.uri)", null);
        }
        long waitMs = broker.timeout().toMillis();
        try {
            if (!oneAtATime.tryAcquire(waitMs, TimeUnit.MILLISECONDS)) {
                throw new BrokerRefused("another change of broker accounts is still under way", null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerRefused("interrupted", e);
        }
        MqttAsyncClient client = null;
        try {
            client = new MqttAsyncClient(broker.uri(), "tiltfleet-admin-" + UUID.randomUUID(), new MemoryPersistence());
            CompletableFuture<JsonNode> answered = new CompletableFuture<>();
            client.setCallback(new Answers(answered));
            MqttConnectionOptions options = new MqttConnectionOptions();
            options.setUserName(broker.adminUsername());
            options.setPassword(broker.adminPassword() == null ? null : broker.adminPassword().getBytes(StandardCharsets.UTF_8));
            options.setCleanStart(true);
            options.setAutomaticReconnect(false);
            client.connect(options).waitForCompletion(waitMs);
            client.subscribe(RESPONSES, 1).waitForCompletion(waitMs);
            IMqttToken sent = client.publish(COMMANDS, new MqttMessage(json.writeValueAsBytes(Map.of("commands", commands)), 1, false, null));
            sent.waitForCompletion(waitMs);
            return errors(answered.get(waitMs, TimeUnit.MILLISECONDS), commands);
        } catch (MqttException | ExecutionException | TimeoutException e) {
            throw new BrokerRefused("the broker did not answer (" + broker.uri() + "): " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerRefused("interrupted", e);
        } finally {
            close(client);
            oneAtATime.release();
        }
    }

    private static List<String> errors(JsonNode answer, List<Map<String, Object>> commands) {
        Map<String, String> byCorrelation = new LinkedHashMap<>();
        answer.path("responses").forEach(response -> byCorrelation.put(response.path("correlationData").asString(""),
                response.hasNonNull("error") ? response.get("error").asString() : null));
        List<String> errors = new ArrayList<>(commands.size());
        for (Map<String, Object> command : commands) {
            String id = (String) command.get("correlationData");
            if (!byCorrelation.containsKey(id)) {
                throw new BrokerRefused("the broker did not answer the command " + command.get("command"), null);
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
            answered.completeExceptionally(new BrokerRefused("the broker dropped the administrator's connection: " + response, null));
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
