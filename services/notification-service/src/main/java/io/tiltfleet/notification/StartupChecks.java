package io.tiltfleet.notification;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.core.env.Environment;
import org.springframework.core.env.Profiles;
import org.springframework.stereotype.Component;

/**
 * Refuses to start with the shipped ack-link secret (anyone who read the repository could forge acknowledgements)
 * or with claims shorter than a send.
 */
@Component
class StartupChecks implements InitializingBean {

    private final NotificationProperties properties;
    private final Environment environment;

    StartupChecks(NotificationProperties properties, Environment environment) {
        this.properties = properties;
        this.environment = environment;
    }

    @Override
    public void afterPropertiesSet() {
        boolean placeholder = NotificationProperties.PLACEHOLDER_SECRET.equals(properties.ackLinkSecret());
        if (placeholder && !environment.acceptsProfiles(Profiles.of("local"))) {
            throw new IllegalStateException("tiltfleet.notification.ack-link-secret is the shipped placeholder: "
                    + "set TILTFLEET_NOTIFICATION_ACK_LINK_SECRET (at least 32 characters)");
        }
        if (properties.ackLinkSecret().length() < 32) {
            throw new IllegalStateException("tiltfleet.notification.ack-link-secret must have at least 32 characters");
        }
        if (properties.claimLease().compareTo(properties.sendTimeout().plusSeconds(1)) <= 0) {
            // a claim running out mid-send would let a second instance send the same notification at the same time;
            // what the lease leaves beyond the send bounds the URL guard's lookup and the settling (DeliveryWorker)
            throw new IllegalStateException("tiltfleet.notification.claim-lease must be longer than send-timeout plus 1 s");
        }
    }
}
