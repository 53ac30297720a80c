package io.tiltfleet.notification.channels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

import com.sun.net.httpserver.HttpServer;
import io.tiltfleet.notification.NotificationProperties;
import io.tiltfleet.notification.policies.Channel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.mail.javamail.JavaMailSender;
import tools.jackson.databind.json.JsonMapper;

class ChannelSendersTest {

    static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

    final HttpServer receiver;
    final AtomicInteger received = new AtomicInteger();

    ChannelSendersTest() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            received.incrementAndGet();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
    }

    @AfterEach
    void stop() {
        receiver.stop(0);
    }

    @Test
    void aNameThatResolvesToAForbiddenAddressAtConnectionTimeIsNotCalled() {
        // as if the guard's lookup had seen a public address and the name had been rebound to loopback since
        Channel hook = new Channel("ops", ChannelKind.WEBHOOK, "http://localhost:" + receiver.getAddress().getPort() + "/hook",
                "0123456789abcdef", List.of());

        SendResult result = senders(false).send(hook, this::notification).block();

        assertThat(received).hasValue(0);
        assertThat(result.outcome()).isEqualTo(SendResult.Outcome.RETRY);
        assertThat(result.detail()).contains("loopback");
    }

    @Test
    void privateAddressesAllowedAreCalled() {
        Channel hook = new Channel("ops", ChannelKind.WEBHOOK, "http://localhost:" + receiver.getAddress().getPort() + "/hook",
                "0123456789abcdef", List.of());

        assertThat(senders(true).send(hook, this::notification).block().outcome()).isEqualTo(SendResult.Outcome.DELIVERED);
        assertThat(received).hasValue(1);
    }

    private ChannelSenders senders(boolean allowPrivateAddresses) {
        return new ChannelSenders(mock(JavaMailSender.class), JsonMapper.builder().build(), new NotificationProperties(
                URI.create("http://127.0.0.1:8082"), URI.create("http://127.0.0.1:8080"), "test-ack-link-secret-of-32-characters-at-least",
                Duration.ofHours(24), true, allowPrivateAddresses, false, Duration.ofSeconds(1), Duration.ofSeconds(5), 16,
                Duration.ofSeconds(20), Duration.ofMinutes(1), new NotificationProperties.Delivery(Duration.ofSeconds(2), Duration.ofMinutes(5), 10)));
    }

    private Notification notification(String recipient) {
        return new Notification("a-1:1:ops:0", "a-1", "clinic", "t-1", "OVER_ANGLE", "CRITICAL", "ACTIVE_UNACKNOWLEDGED", "angle 80 > 60",
                NOW, 1, 0, "https://tiltfleet.example/api/notifications/ack/x", NOW, "Berlin-Mitte, Room 3, Bed 7");
    }
}
