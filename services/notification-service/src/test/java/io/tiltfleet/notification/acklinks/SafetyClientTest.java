package io.tiltfleet.notification.acklinks;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.tiltfleet.notification.NotificationProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SafetyClientTest {

    final HttpServer safety = start();
    final AtomicReference<String> caller = new AtomicReference<>();
    final AtomicReference<String> body = new AtomicReference<>();

    @AfterEach
    void stop() {
        safety.stop(0);
    }

    @Test
    void anAcknowledgementThroughALinkIsMarkedAsSuch() {
        safety.createContext("/api/alerts/a-1/acknowledge", exchange -> {
            caller.set(exchange.getRequestHeaders().getFirst("X-TiltFleet-Caller"));
            body.set(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        SafetyClient client = new SafetyClient(properties(URI.create("http://127.0.0.1:" + safety.getAddress().getPort())));

        Integer status = client.acknowledge(new AckTokens.Claims("a-1", "clinic", "olivia", Long.MAX_VALUE, "n-1")).block();

        assertThat(status).isEqualTo(200);
        assertThat(caller.get()).isEqualTo("ack-link:olivia");
        assertThat(body.get()).isEqualTo("{\"by\":\"ack-link:olivia\"}");
    }

    private static HttpServer start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static NotificationProperties properties(URI safetyUri) {
        return new NotificationProperties(safetyUri, URI.create("http://127.0.0.1:8080"), "test-ack-link-secret-of-32-characters-at-least",
                Duration.ofHours(24), false, false, false, Duration.ofSeconds(1), Duration.ofSeconds(5), 16, Duration.ofSeconds(20),
                Duration.ofMinutes(1), new NotificationProperties.Delivery(Duration.ofSeconds(2), Duration.ofMinutes(5), 10));
    }
}
