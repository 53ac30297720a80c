package io.tiltfleet.notification;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the notification service; defaults in notification-service.yml.
 *
 * @param safetyUri             where the safety service's API is, for acknowledgements made from an ack link
 * @param publicBaseUrl         the address people reach the platform at (the gateway): ack links start with it
 * @param ackLinkSecret         the HMAC key of ack links; the shipped placeholder is refused outside the local profile
 * @param ackLinkTtl            how long an ack link may be used
 * @param allowPlainHttp        whether channels may use http:// (the local profile only)
 * @param allowPrivateAddresses whether channels may name loopback, private or link-local addresses (the local profile and tests)
 * @param allowCallsWithoutCaller whether API calls naming no caller (none came through the gateway) are answered, for every fleet
 * @param tick                  how often due notifications are looked for
 * @param sendTimeout           the longest one send may take before it counts as failed and is retried
 * @param maxConcurrentSends    sends in flight at once, over all fleets and channels
 * @param claimLease            how long an instance holds a notification it claimed: longer than a send takes, short
 *                              enough that what a killed instance held is sent by another soon
 * @param minRemindEvery        the shortest {@code remindEvery} a policy may ask for (tests shorten it to see reminders)
 */
@Validated
@ConfigurationProperties("tiltfleet.notification")
public record NotificationProperties(@NotNull URI safetyUri, @NotNull URI publicBaseUrl, @NotBlank String ackLinkSecret,
                                     @NotNull Duration ackLinkTtl, boolean allowPlainHttp, boolean allowPrivateAddresses,
                                     boolean allowCallsWithoutCaller, @NotNull Duration tick, @NotNull Duration sendTimeout,
                                     @Min(1) @Max(256) int maxConcurrentSends, @NotNull Duration claimLease,
                                     @NotNull Duration minRemindEvery, @Valid @NotNull Delivery delivery) {

    /** The placeholder shipped in notification-service.yml, refused at startup outside the local profile. */
    public static final String PLACEHOLDER_SECRET = "change-me-ack-link-secret-placeholder";

    /** Retries of a failed send: exponential from {@code initialBackoff}, at most {@code maxBackoff} apart, {@code maxAttempts} in all. */
    public record Delivery(@NotNull Duration initialBackoff, @NotNull Duration maxBackoff, @Min(1) @Max(100) int maxAttempts) {
    }
}
