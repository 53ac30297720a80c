package io.tiltfleet.ingest.mqtt;

import io.tiltfleet.contract.Topics;
import io.tiltfleet.ingest.IngestMetrics;
import io.tiltfleet.ingest.IngestProperties;
import io.tiltfleet.ingest.forwarding.TelemetryForwarder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.mqttv5.client.IMqttToken;
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
 * <p>Messages in flight are bounded twice: by the MQTT 5 receive maximum, and, because Mosquitto 2.0
 * overruns that quota once acknowledgements flow, by holding Paho's delivery thread while the bound is
 * reached. The socket then stops being read and TCP pushes back to the broker, which queues instead.
 */
@Component
class MqttIntake implements SmartLifecycle, MqttCallback {

    private static final Logger log = LoggerFactory.getLogger(MqttIntake.class);
    private static final int AT_LEAST_ONCE = 1;

    private final IngestProperties.Mqtt settings;
    private final TelemetryForwarder forwarder;
    private final IngestMetrics metrics;
    private final MqttAsyncClient client;
    /** One thread, so that records reach the producer in the order their messages arrived. */
    private final ExecutorService forwarding = Executors.newSingleThreadExecutor(r -> new Thread(r, "mqtt-forward"));
    private final ExecutorService acknowledger = Executors.newSingleThreadExecutor(r -> new Thread(r, "mqtt-ack"));
    private final ExecutorService connector = Executors.newSingleThreadExecutor(r -> new Thread(r, "mqtt-connect"));
    /** Packet ids are only valid on the connection that delivered them; an ack from an older one is dropped. */
    private final AtomicLong connection = new AtomicLong();
    private final Semaphore inFlight;
    private volatile boolean accepting;
    private volatile boolean running;

    MqttIntake(IngestProperties properties, TelemetryForwarder forwarder, IngestMetrics metrics) throws MqttException {
        this.settings = properties.mqtt();
        this.forwarder = forwarder;
        this.metrics = metrics;
        this.inFlight = new Semaphore(settings.maxInFlight());
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

    IngestProperties.Mqtt settings() {
        return settings;
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
        if (!accepting || !awaitRoomInFlight()) {
            return; // shutting down: unacknowledged, the broker keeps it for this session
        }
        metrics.received();
        long deliveredOn = connection.get();
        forwarding.execute(() -> forwarder.forward(topic, message.getPayload(), message.isDuplicate())
                .whenCompleteAsync((stored, failure) -> settle(message, deliveredOn, failure), acknowledger));
    }

    private void settle(MqttMessage message, long deliveredOn, Throwable failure) {
        try {
            acknowledgeIfStored(message, deliveredOn, failure);
        } finally {
            metrics.settled();
            inFlight.release();
        }
    }

    private boolean awaitRoomInFlight() {
        try {
            inFlight.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        if (!accepting) {
            inFlight.release();
            return false;
        }
        return true;
    }

    private void acknowledgeIfStored(MqttMessage message, long deliveredOn, Throwable failure) {
        if (failure != null) {
            metrics.forwardFailed();
            log.error("Kafka did not store message {}; it stays unacknowledged at the broker", message.getId(), failure);
            return;
        }
        if (message.getQos() == 0 || deliveredOn != connection.get()) {
            return;
        }
        try {
            client.messageArrivedComplete(message.getId(), message.getQos());
        } catch (MqttException e) {
            log.warn("PUBACK for message {} not sent ({}); the broker will redeliver it", message.getId(), e.getMessage());
        }
    }

    @Override
    public void connectComplete(boolean reconnect, String serverUri) {
        connection.incrementAndGet();
        boolean shared = settings.shareGroup() != null && !settings.shareGroup().isBlank();
        String group = shared ? "$share/" + settings.shareGroup() + "/" : "";
        try {
            client.subscribe(new MqttSubscription[] {
                    new MqttSubscription(group + Topics.MQTT_TELEMETRY_FILTER, AT_LEAST_ONCE),
                    new MqttSubscription(group + Topics.MQTT_STATUS_FILTER, AT_LEAST_ONCE)});
            log.info("{} to {} as {}, subscribed {}", connection.get() > 1 ? "Reconnected" : "Connected", serverUri, settings.clientId(),
                    shared ? "in share group " + settings.shareGroup() : "alone (no share group)");
        } catch (MqttException e) {
            log.error("Subscribing failed; reconnecting", e);
            connector.execute(() -> {
                dropConnection();
                connectUntilConnected();
            });
        }
    }

    @Override
    public void disconnected(MqttDisconnectResponse response) {
        connection.incrementAndGet();
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
