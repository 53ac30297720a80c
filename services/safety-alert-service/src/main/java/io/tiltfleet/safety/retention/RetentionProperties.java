package io.tiltfleet.safety.retention;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * How long the safety service's records are kept; a kind left unset is kept for ever. Defaults in safety-alert-service.yml.
 *
 * @param every  how often the purge runs (also once at start)
 * @param alerts alerts cleared and acknowledged, by their last change: an open or unacknowledged alert is never removed
 * @param audit  audit entries (the notification service's too), by when the change was made
 */
@Validated
@ConfigurationProperties("tiltfleet.safety.retention")
public record RetentionProperties(@NotNull @DurationMin(seconds = 1) Duration every, @DurationMin(seconds = 1) Duration alerts,
                                  @DurationMin(seconds = 1) Duration audit) {
}
