package io.tiltfleet.safety.credentials;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * How this service administers the tables' broker accounts: through Mosquitto's dynamic-security plugin, signed in
 * as its administrator. Defaults in safety-alert-service.yml.
 *
 * @param uri           the broker, e.g. tcp://127.0.0.1:1883; blank: tables' credentials are not managed here (503)
 * @param adminUsername the plugin's administrator account
 * @param timeout       the longest wait for the broker to answer one change
 */
@Validated
@ConfigurationProperties("tiltfleet.safety.broker")
public record BrokerAdministration(String uri, String adminUsername, String adminPassword, @NotNull Duration timeout) {

    public boolean configured() {
        return uri != null && !uri.isBlank();
    }
}
