package io.tiltfleet.analytics.retention;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * How long each kind of the analytics' data is kept; a kind left unset is kept for ever. Defaults in analytics-service.yml.
 *
 * @param every      how often the purge runs (also once at start)
 * @param sessions   by the session's start
 * @param traces     by the session's start
 * @param rollups    by the period's start
 * @param alertFacts by when the alert was raised
 */
@Validated
@ConfigurationProperties("tiltfleet.analytics.retention")
public record RetentionProperties(@NotNull @DurationMin(seconds = 1) Duration every, @DurationMin(seconds = 1) Duration sessions,
                                  @DurationMin(seconds = 1) Duration traces, @DurationMin(seconds = 1) Duration rollups,
                                  @DurationMin(seconds = 1) Duration alertFacts) {
}
