package io.tiltfleet.ingest.mqtt;

import io.tiltfleet.contract.Topics;
import io.tiltfleet.ingest.IngestMetrics;
import io.tiltfleet.ingest.IngestProperties;
import io.tiltfleet.ingest.forwarding.TelemetryForwarder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Takes table messages from the MQTT broker through a shared subscription on a persistent session,
 * and acknowledges each one (PUBACK) only once Kafka has stored it. Until then the broker keeps the
 * message, so a crash or a Kafka outage means redelivery, never loss.
 *
 * <p>When Kafka does not store a message, the intake drops its connection without acknowledging
 * anything more and connects again after a pause: the broker then redelivers every unacknowledged
 * message in order, the failed one first, instead of the table's later readings overtaking it on a
 * live connection. Messages still queued from the dropped connection are not forwarded: they come again.
 *
 * <p>A subscription the broker refuses (SUBACK reason code from 0x80, e.g. an ACL without read access)
 * leaves the intake connected but deaf: it says so in its health, and subscribes again on a new
 * connection after a pause, so that a corrected ACL takes effect without a restart.
 *
 * <p>Messages in flight are bounded twice: by the MQTT 5 receive maximum, and, because Mosquitto 2.0
 * overruns that quota once acknowledgements flow, by holding Paho's delivery thread while the bound is
 * reached. The socket then stops being read and TCP pushes back to the broker, which queues instead.
 */
@Component
class MqttIntake implements SmartLifecycle, MqttCallback {

    private static final Logger log = LoggerFactory.getLogger(MqttIntake.class);
    private static final int AT_LEAST_ONCE = 1;
    private static final long NONE = 0;
    /** MQTT 5 reason codes from 0x80 on are refusals. */
    private static final int REFUSED = 0x80;
    private static final Duration FIRST_PAUSE = Duration.ofMillis(250);
    private static final Duration LONGEST_PAUSE = Duration.ofSeconds(10);

    private final IngestProperties.Mqtt settings;
    private final TelemetryForwarder forwarder;
    private final IngestMetrics metrics;
    private final MqttAsyncClient client;
    /** One thread, so that records reach the producer in the order their messages arrived. */
    private final ExecutorService forwarding = Executors.newSingleThreadExecutor(r -> new Thread(r, "mqtt-forward"));
    private final ExecutorService acknowledger = Executors.newSingleThreadExecutor(r -> new Thread(r, "mqtt-ack"));
    private final ExecutorService connector = Executors.newSingleThreadExecutor(r -> new Thread(r, "mqtt-connect"));
    /**
     * The id of the connection messages are taken on, {@value #NONE} while there is none or it is being
     * dropped. Packet ids are only valid on the connection that delivered them: a message of another
     * connection is neither forwarded nor acknowledged, the broker delivers it again.
     */
    private final AtomicLong connection = new AtomicLong(NONE);
    private final AtomicLong connectionIds = new AtomicLong();
    private final InFlightLimit inFlight;
    /** Reconnections in a row for a failed message or a refused subscription: the pause before the next one grows with them. */
    private final AtomicInteger reconnectionsInARow = new AtomicInteger();
    /** Why the intake receives no table's messages on its connection (no SUBACK yet, or a refusal); null once subscribed. */
    private volatile String notSubscribed = "not connected yet";
    private volatile boolean accepting;
    private volatile boolean running;

    MqttIntake(IngestProperties properties, TelemetryForwarder forwarder, IngestMetrics metrics) throws MqttException {
        this.settings = properties.mqtt();
        this.forwarder = forwarder;
        this.metrics = metrics;
        this.inFlight = new InFlightLimit(settings.maxInFlight(), metrics);
        this.client = new MqttAsyncClient(settings.brokerUri(), settings.clientId(), new MemoryPersistence());
        client.setManualAcks(true);
        client.setCallback(this);
    }

    @Override
    public void start() {
        running = true;
        accepting = true;
        connector.execute(() -> {
            forwarder.awaitKafka();
            connectUntilConnected();
        });
    }

    @Override
    public void stop() {
        accepting = false;
        drainInFlight();
        forwarding.shutdownNow();
        connector.shutdownNow();
        try {
            if (client.isConnected()) {
                client.disconnect().waitForCompletion(5000);
            }
            client.close(true);
        } catch (MqttException e) {
            log.warn("MQTT disconnect failed: {}", e.getMessage());
        }
        acknowledger.shutdown();
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    boolean isConnected() {
        return client.isConnected();
    }

    /** Null while subscribed to the tables' topics; else why not. */
    String notSubscribed() {
        return notSubscribed;
    }

    IngestProperties.Mqtt settings() {
        return settings;
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
        if (!accepting || !inFlight.admit(() -> accepting)) {
            return; // shutting down: unacknowledged, the broker keeps it for this session
        }
        long deliveredOn = connection.get();
        forwarding.execute(() -> {
            if (!isCurrent(deliveredOn)) {
                inFlight.settled(); // its connection was dropped unacknowledged: the broker delivers it again, in order
                return;
            }
            forwarder.forward(topic, message.getPayload(), message.isDuplicate())
                    .whenCompleteAsync((stored, failure) -> settle(message, deliveredOn, failure), acknowledger);
        });
    }

    private void settle(MqttMessage message, long deliveredOn, Throwable failure) {
        try {
            if (failure == null) {
                acknowledge(message, deliveredOn);
            } else {
                redeliverFrom(message, deliveredOn, failure);
            }
        } finally {
            inFlight.settled();
        }
    }

    private boolean isCurrent(long deliveredOn) {
        return deliveredOn != NONE && deliveredOn == connection.get();
    }

    /** Counts the failure and drops the connection that delivered the message, to have the broker redeliver from it. */
    private void redeliverFrom(MqttMessage message, long deliveredOn, Throwable failure) {
        metrics.forwardFailed();
        log.error("Kafka did not store message {}; reconnecting to the MQTT broker unacknowledged, so that it redelivers "
                + "this message and the ones after it in order", message.getId(), failure);
        reconnectAfterPause(deliveredOn);
    }

    /**
     * Stops taking messages from connection {@code from} at once, unless it is gone already, then drops
     * it and connects again after a pause that grows while this keeps happening.
     */
    private void reconnectAfterPause(long from) {
        if (from == NONE || !connection.compareAndSet(from, NONE)) {
            return; // dropped already: the broker redelivers what it delivered
        }
        connector.execute(() -> {
            dropConnection();
            sleep(pause(reconnectionsInARow.getAndIncrement()));
            connectUntilConnected();
        });
    }

    private static Duration pause(int inARow) {
        Duration pause = FIRST_PAUSE.multipliedBy(1L << Math.min(inARow, 10));
        return pause.compareTo(LONGEST_PAUSE) > 0 ? LONGEST_PAUSE : pause;
    }

    private void acknowledge(MqttMessage message, long deliveredOn) {
        if (message.getQos() == 0 || !isCurrent(deliveredOn)) {
            return;
        }
        reconnectionsInARow.set(0);
        try {
            client.messageArrivedComplete(message.getId(), message.getQos());
        } catch (MqttException e) {
            log.warn("PUBACK for message {} not sent ({}); the broker will redeliver it", message.getId(), e.getMessage());
        }
    }

    @Override
    public void connectComplete(boolean reconnect, String serverUri) {
        long connected = connectionIds.incrementAndGet();
        connection.set(connected);
        if (notSubscribed == null) {
            notSubscribed = "waiting for the broker to grant the subscription"; // a refusal stays on show until a grant
        }
        boolean shared = settings.shareGroup() != null && !settings.shareGroup().isBlank();
        String group = shared ? "$share/" + settings.shareGroup() + "/" : "";
        MqttSubscription[] filters = {
                new MqttSubscription(group + Topics.MQTT_TELEMETRY_FILTER, AT_LEAST_ONCE),
                new MqttSubscription(group + Topics.MQTT_STATUS_FILTER, AT_LEAST_ONCE)};
        try {
            client.subscribe(filters, null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    granted(filters, token.getReasonCodes(), connected);
                }

                @Override
                public void onFailure(IMqttToken token, Throwable failure) {
                    refused("the subscription failed: " + failure, connected);
                }
            }, new MqttProperties());
            log.info("{} to {} as {}, subscribing {}", connected > 1 ? "Reconnected" : "Connected", serverUri, settings.clientId(),
                    shared ? "in share group " + settings.shareGroup() : "alone (no share group)");
        } catch (MqttException e) {
            refused("subscribing failed: " + e.getMessage(), connected);
        }
    }

    private void granted(MqttSubscription[] filters, int[] reasonCodes, long connected) {
        if (!isCurrent(connected)) {
            return; // an answer on a connection that is gone
        }
        List<String> refusals = new ArrayList<>();
        for (int i = 0; i < filters.length; i++) {
            int code = reasonCodes != null && i < reasonCodes.length ? reasonCodes[i] : REFUSED;
            if (code >= REFUSED) {
                refusals.add(filters[i].getTopic() + " (reason code 0x" + Integer.toHexString(code) + ")");
            }
        }
        if (refusals.isEmpty()) {
            notSubscribed = null;
            log.info("Subscribed to {}", Arrays.stream(filters).map(MqttSubscription::getTopic).toList());
        } else {
            refused("the broker refused the subscription to " + String.join(", ", refusals)
                    + ": check that the ACL lets account " + settings.username() + " read the tables' topics", connected);
        }
    }

    private void refused(String why, long connected) {
        if (!isCurrent(connected)) {
            return;
        }
        notSubscribed = why;
        log.error("Not receiving any table's messages: {}; subscribing again on a new connection", why);
        reconnectAfterPause(connected);
    }

    @Override
    public void disconnected(MqttDisconnectResponse response) {
        connection.set(NONE);
        log.warn("Disconnected from MQTT broker: {}", response.getReasonString() != null ? response.getReasonString() : response.getException());
        if (accepting) {
            connector.execute(this::connectUntilConnected);
        }
    }

    @Override
    public void mqttErrorOccurred(MqttException exception) {
        log.warn("MQTT error: {}", exception.getMessage());
    }

    @Override
    public void deliveryComplete(IMqttToken token) {
        // this service only subscribes
    }

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {
        // no enhanced authentication
    }

    /**
     * Connects, and after a lost connection connects again, with backoff, until it works. Paho's own
     * automatic reconnect is off: after a broker restart it could stay "connecting" for good (seen in
     * MqttBrokerRestartTest), so an attempt that does not finish in time is dropped and made again.
     */
    private void connectUntilConnected() {
        Duration backoff = Duration.ofMillis(250);
        while (accepting && !client.isConnected()) {
            try {
                client.connect(options()).waitForCompletion(settings.keepAlive().toMillis());
            } catch (MqttException e) {
                log.warn("MQTT broker {} not reachable ({}); retrying in {} ms", settings.brokerUri(), e.getMessage(), backoff.toMillis());
                dropConnection();
                sleep(backoff);
                backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(10)) > 0 ? Duration.ofSeconds(10) : backoff.multipliedBy(2);
            }
        }
    }

    /** Abandons the connection or the connection attempt, whatever state it is in. */
    private void dropConnection() {
        try {
            client.disconnectForcibly(0, 1000, false);
        } catch (MqttException e) {
            log.debug("Dropping the MQTT connection: {}", e.getMessage());
        }
    }

    private MqttConnectionOptions options() {
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(false);
        options.setSessionExpiryInterval(settings.sessionExpiry().toSeconds());
        options.setReceiveMaximum(settings.maxInFlight());
        options.setKeepAliveInterval((int) settings.keepAlive().toSeconds());
        options.setAutomaticReconnect(false);
        if (settings.username() != null && !settings.username().isBlank()) {
            options.setUserName(settings.username());
            options.setPassword(settings.password() == null ? null : settings.password().getBytes(StandardCharsets.UTF_8));
        }
        return options;
    }

    private void drainInFlight() {
        Instant deadline = Instant.now().plus(settings.drainTimeout());
        while (metrics.inFlight() > 0 && Instant.now().isBefore(deadline)) {
            sleep(Duration.ofMillis(20));
        }
        if (metrics.inFlight() > 0) {
            log.warn("{} messages still in flight after {}; the broker redelivers them", metrics.inFlight(), settings.drainTimeout());
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
