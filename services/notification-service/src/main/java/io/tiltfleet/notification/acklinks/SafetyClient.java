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

/** Acknowledges an alert at the safety service, as the recipient of the link, limited to the alert's fleet. */
@Component
class SafetyClient {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final WebClient safety;

    SafetyClient(NotificationProperties properties) {
        HttpClient client = HttpClient.create().responseTimeout(TIMEOUT).option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000);
        this.safety = WebClient.builder().baseUrl(properties.safetyUri().toString()).clientConnector(new ReactorClientHttpConnector(client)).build();
    }

    /** The safety service's HTTP status: 200 acknowledged, 409 acknowledged already, 404 no such alert. */
    Mono<Integer> acknowledge(AckTokens.Claims claims) {
        return safety.post().uri("/api/alerts/{id}/acknowledge", claims.alertId())
                .header(CallerHeaders.CALLER, claims.recipient()).header(CallerHeaders.FLEETS, claims.fleetId())
                .bodyValue(Map.of("by", claims.recipient()))
                .exchangeToMono(response -> response.releaseBody().thenReturn(response.statusCode().value()))
                .timeout(TIMEOUT);
    }
}
