package io.tiltfleet.simulator;

import io.tiltfleet.contract.DevicePayloads;
import io.tiltfleet.contract.TableRef;
import io.tiltfleet.contract.TableStatus;
import io.tiltfleet.contract.TelemetryReading;
import io.tiltfleet.contract.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;

/**
 * One table's own MQTT 5 connection, publishing QoS 1 with an {@code offline} Last Will. Each publish
 * returns a future that completes when the broker has acknowledged it (PUBACK): from then on the
 * platform owns the message.
 */
public final class TablePublisher implements AutoCloseable {

    /** Below Mosquitto's default receive maximum of 20, so that publishes never exceed the broker's quota. */
    private static final int MAX_UNACKNOWLEDGED = 16;
    /** MQTT 5 reason codes from 0x80 on are refusals, e.g. 0x87 "not authorized" for a topic outside the table's ACL. */
    private static final int REFUSED = 0x80;
    private static final String FIRMWARE = "sim-2.4.1";
    private static final String MODEL = "TF-SIM";

    private final MqttAsyncClient client;
    private final String fleetId;
    private final String tableId;
    /** The table's own broker password; null where the broker takes anonymous clients (tests, local run). */
    private final String password;
    private final Semaphore window = new Semaphore(MAX_UNACKNOWLEDGED);

    private TablePublisher(MqttAsyncClient client, String fleetId, String tableId, String password) {
        this.client = client;
        this.fleetId = fleetId;
        this.tableId = tableId;
        this.password = password;
    }

    public static TablePublisher connect(String brokerUri, String fleetId, String tableId) {
        return connectAll(brokerUri, fleetId, List.of(tableId)).get(0);
    }

    /** Connects many tables at once: one connection takes a few hundred milliseconds, mostly waiting. */
    public static List<TablePublisher> connectAll(String brokerUri, String fleetId, List<String> tableIds) {
        return connectAll(brokerUri, fleetId, tableIds, TablePasswords.NONE);
    }

    /**
     * Connects tables that sign in to the broker, each as {@link #username} with {@code password}
     * (null: anonymously).
     */
    public static List<TablePublisher> connectAll(String brokerUri, String fleetId, List<String> tableIds, String password) {
        return connectAll(brokerUri, fleetId, tableIds, TablePasswords.same(password));
    }

    /** Connects tables that sign in to the broker, each as {@link #username} with its own password (null: anonymously). */
    public static List<TablePublisher> connectAll(String brokerUri, String fleetId, List<String> tableIds, TablePasswords passwords) {
        List<TablePublisher> tables = new ArrayList<>();
        List<IMqttToken> connecting = new ArrayList<>();
        try {
            for (String tableId : tableIds) {
                MqttAsyncClient client = new MqttAsyncClient(brokerUri, "table-" + fleetId + "-" + tableId, new MemoryPersistence());
                TablePublisher table = new TablePublisher(client, fleetId, tableId, passwords.of(username(fleetId, tableId)));
                connecting.add(client.connect(table.options()));
                tables.add(table);
            }
            for (IMqttToken token : connecting) {
                token.waitForCompletion(30_000);
            }
            return tables;
        } catch (MqttException e) {
            throw new IllegalStateException("tables of " + fleetId + " cannot connect to " + brokerUri, e);
        }
    }

    /** A table's broker account: {@code <fleetId>/<tableId>}, as {@code POST /api/fleet/{fleetId}/tables/{tableId}/credentials} issues it. */
    public static String username(String fleetId, String tableId) {
        return new TableRef(fleetId, tableId).key();
    }

    private MqttConnectionOptions options() {
        MqttConnectionOptions options = new MqttConnectionOptions();
        if (password != null) {
            options.setUserName(username(fleetId, tableId));
            options.setPassword(password.getBytes(StandardCharsets.UTF_8));
        }
        options.setCleanStart(true);
        options.setKeepAliveInterval(30);
        MqttMessage will = new MqttMessage(DevicePayloads.status(TableStatus.State.OFFLINE, Instant.now()), 1, true, null);
        options.setWill(Topics.mqttStatusTopic(fleetId, tableId), will);
        return options;
    }

    public String tableId() {
        return tableId;
    }

    /** Loses the connection without a DISCONNECT, as a power cut or a lost network would: the broker publishes the Last Will. */
    public void dropConnection() {
        try {
            client.disconnectForcibly(0, 1000, false);
        } catch (MqttException e) {
            throw new IllegalStateException("table " + tableId + " could not drop its connection", e);
        }
    }

    public void reconnect() {
        try {
            client.connect(options()).waitForCompletion(10_000);
        } catch (MqttException e) {
            throw new IllegalStateException("table " + tableId + " could not reconnect", e);
        }
    }

    public CompletableFuture<Void> publish(TelemetryReading reading) {
        return publish(Topics.mqttTelemetryTopic(fleetId, tableId), DevicePayloads.telemetry(reading));
    }

    /** An online status says the simulated firmware and model, as a real table may. */
    public CompletableFuture<Void> publishStatus(TableStatus.State state, Instant ts) {
        byte[] status = state == TableStatus.State.ONLINE ? DevicePayloads.status(state, ts, FIRMWARE, MODEL) : DevicePayloads.status(state, ts);
        return publish(Topics.mqttStatusTopic(fleetId, tableId), status, true);
    }

    public CompletableFuture<Void> publish(String topic, byte[] payload) {
        return publish(topic, payload, false);
    }

    public CompletableFuture<Void> publish(String topic, String payload) {
        return publish(topic, payload.getBytes(StandardCharsets.UTF_8), false);
    }

    private CompletableFuture<Void> publish(String topic, byte[] payload, boolean retained) {
        CompletableFuture<Void> acknowledged = new CompletableFuture<>();
        window.acquireUninterruptibly();
        try {
            client.publish(topic, new MqttMessage(payload, 1, retained, null), null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    window.release();
                    int[] reasonCodes = token.getReasonCodes();
                    if (reasonCodes != null && reasonCodes.length > 0 && reasonCodes[0] >= REFUSED) {
                        acknowledged.completeExceptionally(new IllegalStateException(
                                "the broker refused the message on " + topic + ": reason code " + reasonCodes[0]));
                    } else {
                        acknowledged.complete(null);
                    }
                }

                @Override
                public void onFailure(IMqttToken token, Throwable failure) {
                    window.release();
                    acknowledged.completeExceptionally(failure);
                }
            });
        } catch (MqttException e) {
            window.release();
            acknowledged.completeExceptionally(e);
        }
        return acknowledged;
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) {
                client.disconnect().waitForCompletion(5000);
            }
            client.close();
        } catch (MqttException e) {
            throw new IllegalStateException("table " + tableId + " did not disconnect cleanly", e);
        }
    }
}
