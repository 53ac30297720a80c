package io.tiltfleet.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Reads a fleet's event stream (SSE) line by line and notes when each table's first alert event arrived
 * ({@link System#nanoTime}). A cut
 * stream is reported, counted and resumed with the last alert event's id, so that the alerts of the
 * interruption still arrive (late) instead of silently never.
 */
final class AlertStream implements AutoCloseable {

    private final Map<String, CompletableFuture<Long>> alerts = new ConcurrentHashMap<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private final URI uri;
    private final AtomicInteger disconnects = new AtomicInteger();
    private volatile String lastEventId;
    private volatile CompletableFuture<HttpResponse<Void>> connection;
    private volatile boolean closed;

    private AlertStream(URI uri) {
        this.uri = uri;
        connect();
    }

    static AlertStream open(int port, String path) {
        return new AlertStream(URI.create("http://127.0.0.1:" + port + path));
    }

    private void connect() {
        // the line subscriber and the response's future may both report one end: it is resumed once
        AtomicBoolean ended = new AtomicBoolean();
        Consumer<String> end = why -> {
            if (ended.compareAndSet(false, true)) {
                resume(why);
            }
        };
        HttpRequest.Builder request = HttpRequest.newBuilder(uri);
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        connection = http.sendAsync(request.build(), HttpResponse.BodyHandlers.fromLineSubscriber(new Flow.Subscriber<String>() {
            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscription.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(String line) {
                if (line.startsWith("id:")) {
                    lastEventId = line.substring(3).trim();
                } else if (line.startsWith("data:") && line.contains("\"alertId\"")) {
                    long now = System.nanoTime();
                    int at = line.indexOf("\"tableId\":\"") + 11;
                    alerts.computeIfAbsent(line.substring(at, line.indexOf('"', at)), t -> new CompletableFuture<>()).complete(now);
                } else if (line.startsWith("data:") && line.contains("\"reason\"")) {
                    System.out.printf("    %s stream says: %s%n", Instant.now(), line.substring(5).trim());
                }
            }

            @Override
            public void onError(Throwable failure) {
                end.accept(failure.toString());
            }

            @Override
            public void onComplete() {
                end.accept("the server ended it");
            }
        }));
        connection.exceptionally(failure -> {
            end.accept(failure.toString());
            return null;
        });
    }

    private void resume(String why) {
        if (closed) {
            return;
        }
        disconnects.incrementAndGet();
        System.out.printf("    %s alert stream cut (%s); resuming after %s in 1 s%n", Instant.now(), why, lastEventId);
        CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS).execute(this::connect);
    }

    int disconnects() {
        return disconnects.get();
    }

    CompletableFuture<Long> awaitAlertOf(String tableId, Duration timeout) {
        return alerts.computeIfAbsent(tableId, t -> new CompletableFuture<>()).orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The tables whose first alert event has arrived, with when. */
    Map<String, Long> arrived() {
        Map<String, Long> arrived = new HashMap<>();
        alerts.forEach((table, arrival) -> {
            if (arrival.isDone() && !arrival.isCompletedExceptionally()) {
                arrived.put(table, arrival.join());
            }
        });
        return arrived;
    }

    @Override
    public void close() {
        closed = true;
        connection.cancel(true);
    }
}
