package io.tiltfleet.notification;

import com.sun.net.httpserver.HttpServer;
import io.tiltfleet.embedded.Ports;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * HTTP receivers on 127.0.0.1 standing in for webhooks, Slack, Teams and the safety service: each path records
 * what it received and answers the status its script says. They can go down (connections refused) and come back
 * on the same port.
 */
final class Receivers implements AutoCloseable {

    record Received(String path, Map<String, List<String>> headers, byte[] body) {
        String text() {
            return new String(body, java.nio.charset.StandardCharsets.UTF_8);
        }

        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    final List<Received> received = new CopyOnWriteArrayList<>();
    private final Map<String, IntSupplier> answers = new ConcurrentHashMap<>();
    private final int port;
    private HttpServer server;

    Receivers() {
        server = listen(0);
        port = server.getAddress().getPort();
    }

    /** Stops listening: the service's connections are refused until {@link #up()}. */
    synchronized void down() {
        server.stop(0);
    }

    synchronized void up() {
        server = listen(port);
    }

    private HttpServer listen(int onPort) {
        HttpServer listening;
        try {
            listening = HttpServer.create(new InetSocketAddress(Ports.LOOPBACK, onPort), 50);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        listening.setExecutor(Executors.newCachedThreadPool());
        listening.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String path = exchange.getRequestURI().getPath();
            received.add(new Received(path, Map.copyOf(exchange.getRequestHeaders()), body));
            int status = answers.getOrDefault(path, () -> 200).getAsInt();
            if (status < 0) {
                try {
                    Thread.sleep(-status);   // a receiver that hangs: the service's send timeout must cut it
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                status = 200;
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        listening.start();
        return listening;
    }

    /** Answers on {@code path} with these statuses in turn, the last one from then on (negative: hang that many ms). */
    Receivers answer(String path, int... statuses) {
        AtomicInteger call = new AtomicInteger();
        answers.put(path, () -> statuses[Math.min(call.getAndIncrement(), statuses.length - 1)]);
        return this;
    }

    String url(String path) {
        return "http://" + Ports.LOOPBACK + ":" + port + path;
    }

    List<Received> at(String path) {
        return received.stream().filter(r -> r.path().equals(path)).toList();
    }

    @Override
    public synchronized void close() {
        server.stop(0);
    }
}
