package io.tiltfleet.bench;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientExecutorConfig;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * The benchmarks' MQTT load generator: QoS 1 over a few connections of the HiveMQ client, which runs
 * on Netty without a thread per connection and writes many publishes per system call. Paho, as the
 * tables use it, spends three threads and a flush per message on each connection: as a generator it
 * took about 45% of the two cores at 3,000 readings/s and could not offer 5,000. A table is always
 * published on the same connection, so its readings stay in order.
 */
final class LoadConnections implements AutoCloseable {

    /** The generator's own threads, whose processor time {@link #processorTime()} sums. */
    private static final String THREAD_PREFIX = "load-mqtt-";
    /** Where the HiveMQ client runs completion callbacks unless told otherwise (RxJava's computation pool). */
    private static final String CALLBACK_THREAD_PREFIX = "RxComputationThreadPool";
    private static final int NETTY_THREADS = 1;

    private static final AtomicInteger threads = new AtomicInteger();
    /** One event loop for all connections of all generators of this JVM: the client shares it when given the same executor. */
    private static final ExecutorService NETTY = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, THREAD_PREFIX + threads.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    });

    private final List<Mqtt5AsyncClient> clients;

    private LoadConnections(List<Mqtt5AsyncClient> clients) {
        this.clients = clients;
    }

    static LoadConnections connect(String brokerUri, String name, int connections) {
        URI broker = URI.create(brokerUri);
        MqttClientExecutorConfig executor = MqttClientExecutorConfig.builder().nettyExecutor(NETTY).nettyThreads(NETTY_THREADS).build();
        List<Mqtt5AsyncClient> clients = IntStream.range(0, connections)
                .mapToObj(i -> MqttClient.builder().useMqttVersion5().identifier(name + "-" + i).serverHost(broker.getHost())
                        .serverPort(broker.getPort()).executorConfig(executor).buildAsync())
                .toList();
        CompletableFuture.allOf(clients.stream().map(client -> client.connectWith().cleanStart(true).keepAlive(30).send())
                .toArray(CompletableFuture[]::new)).orTimeout(30, TimeUnit.SECONDS).join();
        return new LoadConnections(clients);
    }

    /** Subscribes one more connection: each message arriving on the filter is handed to {@code received}, then acknowledged. */
    static LoadConnections subscribe(String brokerUri, String name, String topicFilter, Consumer<byte[]> received) {
        LoadConnections subscriber = connect(brokerUri, name, 1);
        subscriber.clients.get(0).subscribeWith().topicFilter(topicFilter).qos(MqttQos.AT_LEAST_ONCE)
                .callback(publish -> received.accept(publish.getPayloadAsBytes())).send().orTimeout(30, TimeUnit.SECONDS).join();
        return subscriber;
    }

    /**
     * Publishes QoS 1 on the connection of {@code table}; completes when the broker acknowledged it,
     * exceptionally when it refused or the connection failed.
     */
    CompletableFuture<Void> publish(int table, String topic, byte[] payload) {
        return clients.get(Math.floorMod(table, clients.size())).publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(payload).send()
                .thenAccept(LoadConnections::requireAccepted);
    }

    private static void requireAccepted(Mqtt5PublishResult result) {
        result.getError().ifPresent(error -> {
            throw new IllegalStateException("the broker did not take a load message", error);
        });
        if (result instanceof Mqtt5PublishResult.Mqtt5Qos1Result acknowledged && acknowledged.getPubAck().getReasonCode().isError()) {
            throw new IllegalStateException("the broker refused a load message: " + acknowledged.getPubAck().getReasonCode());
        }
    }

    /**
     * Processor time the generators of this JVM used so far: their Netty threads, the client's callback
     * threads and the threads given (the ticker that makes the readings).
     */
    static Duration processorTime(String... ownThreadPrefixes) {
        ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        long nanos = 0;
        for (ThreadInfo thread : bean.getThreadInfo(bean.getAllThreadIds())) {
            if (thread != null && (thread.getThreadName().startsWith(THREAD_PREFIX) || thread.getThreadName().startsWith(CALLBACK_THREAD_PREFIX)
                    || Arrays.stream(ownThreadPrefixes).anyMatch(thread.getThreadName()::startsWith))) {
                nanos += Math.max(0, bean.getThreadCpuTime(thread.getThreadId()));
            }
        }
        return Duration.ofNanos(nanos);
    }

    @Override
    public void close() {
        CompletableFuture.allOf(clients.stream().map(client -> client.disconnect().exceptionally(alreadyGone -> null))
                .toArray(CompletableFuture[]::new)).orTimeout(10, TimeUnit.SECONDS).join();
    }
}
