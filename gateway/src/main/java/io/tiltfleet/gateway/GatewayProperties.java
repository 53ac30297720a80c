package io.tiltfleet.gateway;

import io.tiltfleet.contract.Ids;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the gateway; defaults in gateway.yml.
 *
 * @param safetyUri         where the safety-alert service answers
 * @param analyticsUri      where the analytics service answers
 * @param notificationUri   where the notification service answers
 * @param connectTimeout    how long to wait for a service to accept a connection
 * @param responseTimeout   how long a request (not a stream, an export or a removal of a fleet's data) may take
 * @param removalTimeout    how long a removal of a fleet's data may take to answer (it runs to its end in the service regardless)
 * @param maxRequestSize    the largest request body accepted
 * @param rateLimit         requests each credential may make per period
 * @param addressRateLimit  OPTIONS requests and requests refused with 401 each client address may make per period; an
 *                          address over it gets 429 for everything until the period ends
 * @param maxStreamsPerCredential event streams one credential may hold open at once
 * @param allowedOrigins    web origins of dashboards allowed to call the API from a browser
 * @param apiKeys           machine credentials; only the SHA-256 of each key is configured
 */
@Validated
@ConfigurationProperties("tiltfleet.gateway")
public record GatewayProperties(@NotNull URI safetyUri, @NotNull URI analyticsUri, @NotNull URI notificationUri, @NotNull Duration connectTimeout,
                                @NotNull Duration responseTimeout, @NotNull Duration removalTimeout, @NotNull DataSize maxRequestSize, @Valid @NotNull RateLimit rateLimit,
                                @Valid @NotNull RateLimit addressRateLimit, @Min(1) int maxStreamsPerCredential,
                                List<String> allowedOrigins, @Valid List<ApiKey> apiKeys) {

    public GatewayProperties {
        allowedOrigins = allowedOrigins == null ? List.of() : List.copyOf(allowedOrigins);
        apiKeys = apiKeys == null ? List.of() : List.copyOf(apiKeys);
    }

    public record RateLimit(@Min(1) int requests, @NotNull Duration per) {
    }

    /**
     * @param name   who holds the key, as logs and the dashboard show it
     * @param sha256 the key's SHA-256, in hex
     * @param roles  viewer, operator, analyst
     * @param fleets the fleets it may see; {@code *} for every fleet
     */
    public record ApiKey(@NotBlank String name, @Pattern(regexp = "[0-9a-f]{64}") String sha256, @NotEmpty Set<String> roles,
                         @NotEmpty Set<@Pattern(regexp = "\\*|" + Ids.PATTERN) String> fleets) {
    }
}
