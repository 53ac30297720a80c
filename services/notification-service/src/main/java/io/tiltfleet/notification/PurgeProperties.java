package io.tiltfleet.notification;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * How often what the service no longer needs is removed: used links past their link's life, states of alerts closed
 * longer than their events are kept. Defaults in notification-service.yml.
 *
 * @param every how often (also once at start)
 */
@Validated
@ConfigurationProperties("tiltfleet.notification.purge")
public record PurgeProperties(@NotNull Duration every) {

    /** Documents removed, by kind. */
    public static final String PURGED = "tiltfleet.notification.retention.purged";
}
