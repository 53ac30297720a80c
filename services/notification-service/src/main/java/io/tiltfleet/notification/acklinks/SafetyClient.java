package io.tiltfleet.notification.acklinks;

import io.netty.channel.ChannelOption;
import io.tiltfleet.contract.CallerHeaders;
import io.tiltfleet.notification.NotificationProperties;
import java.time.Duration;
import java.util.Map;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * Acknowledges an alert at the safety service, as {@code ack-link:<recipient>}, limited to the alert's fleet: the
 * prefix keeps an acknowledgement made through a link (which whoever holds the link can use) from reading as one a
 * named person made themselves, even when an operator named a channel or recipient after them.
 */
@Component
class SafetyClient {

    private static final String BY_PREFIX = "ack-link:";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final WebClient safety;

    SafetyClient(NotificationProperties properties) {
        HttpClient client = HttpClient.create().responseTimeout(TIMEOUT).option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000);
        this.safety = WebClient.builder().baseUrl(properties.safetyUri().toString()).clientConnector(new ReactorClientHttpConnector(client)).build();
    }

    /** The safety service's HTTP status: 200 acknowledged, 409 acknowledged already, 404 no such alert. */
    Mono<Integer> acknowledge(AckTokens.Claims claims) {
        String by = BY_PREFIX + claims.recipient();
        return safety.post().uri("/api/alerts/{id}/acknowledge", claims.alertId())
                .header(CallerHeaders.CALLER, by).header(CallerHeaders.FLEETS, claims.fleetId())
                .bodyValue(Map.of("by", by))
                .exchangeToMono(response -> response.releaseBody().thenReturn(response.statusCode().value()))
                .timeout(TIMEOUT);
    }
}
