package io.tiltfleet.notification.policies;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiltfleet.notification.channels.ChannelKind;
import io.tiltfleet.notification.channels.UrlGuard;
import io.tiltfleet.notification.policies.PolicyRequest.ChannelRequest;
import io.tiltfleet.notification.policies.PolicyRequest.RuleRequest;
import io.tiltfleet.notification.policies.PolicyRequest.TierRequest;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PolicyValidatorTest {

    static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    static final String OLD_SECRET = "0123456789abcdef-old";
    static final List<RuleRequest> RULES = List.of(new RuleRequest(null, null, List.of(new TierRequest("PT0S", List.of("ops"))), null));
    static final Optional<NotificationPolicy> STORED = Optional.of(new NotificationPolicy("clinic",
            List.of(new Channel("ops", ChannelKind.WEBHOOK, "https://hooks.example/a", OLD_SECRET, List.of())), List.of(), NOW));

    // the URL check is not what is tested here: every address is allowed
    final PolicyValidator validator = new PolicyValidator(new UrlGuard(false, true, host -> new InetAddress[0]), Duration.ofMinutes(1));

    @Test
    void aWebhookKeepingItsIdAndUrlKeepsItsSecret() {
        PolicyValidator.Result result = validator.validate("clinic", request("https://hooks.example/a"), STORED, NOW);

        assertThat(result.problems()).isEmpty();
        assertThat(result.policy().channel("ops")).map(Channel::secret).contains(OLD_SECRET);
    }

    @Test
    void aWebhookMovedToAnotherUrlNeedsItsSecretAgain() {
        PolicyValidator.Result result = validator.validate("clinic", request("https://elsewhere.example/b"), STORED, NOW);

        assertThat(result.policy()).isNull();
        assertThat(result.problems()).extracting(PolicyValidator.Problem::field).containsExactly("channels[0].secret");
    }

    private static PolicyRequest request(String url) {
        return new PolicyRequest(List.of(new ChannelRequest("ops", "WEBHOOK", url, null, null)), RULES);
    }
}
