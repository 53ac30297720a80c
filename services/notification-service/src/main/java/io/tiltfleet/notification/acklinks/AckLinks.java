package io.tiltfleet.notification.acklinks;

import io.tiltfleet.notification.NotificationProperties;
import java.time.Clock;
import org.springframework.stereotype.Component;

/** The ack links notifications carry: {@code {public-base-url}/api/notifications/ack/{token}}, through the gateway. */
@Component
public class AckLinks {

    static final String PATH = "/api/notifications/ack/";

    private final AckTokens tokens;
    private final String base;

    AckLinks(NotificationProperties properties, Clock clock) {
        this.tokens = new AckTokens(properties.ackLinkSecret(), properties.ackLinkTtl(), clock);
        this.base = properties.publicBaseUrl().toString().replaceAll("/+$", "") + PATH;
    }

    public String link(String alertId, String fleetId, String recipient) {
        return base + tokens.issue(alertId, fleetId, recipient);
    }

    AckTokens tokens() {
        return tokens;
    }
}
