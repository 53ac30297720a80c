package io.tiltfleet.notification.acklinks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class AckTokensTest {

    static final String SECRET = "a-test-secret-of-at-least-32-characters";
    static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

    final AckTokens tokens = new AckTokens(SECRET, Duration.ofHours(24), Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void aTokenItIssuedIsValidAndNamesAlertFleetAndRecipient() throws Exception {
        AckTokens.Claims claims = tokens.verify(tokens.issue("a-1", "clinic", "nurse@clinic.example"));

        assertThat(claims.alertId()).isEqualTo("a-1");
        assertThat(claims.fleetId()).isEqualTo("clinic");
        assertThat(claims.recipient()).isEqualTo("nurse@clinic.example");
        assertThat(claims.expiresAt()).isEqualTo(NOW.plus(Duration.ofHours(24)).getEpochSecond());
    }

    @Test
    void twoTokensForTheSameRecipientHaveDifferentNonces() throws Exception {
        assertThat(tokens.verify(tokens.issue("a-1", "c", "r")).nonce()).isNotEqualTo(tokens.verify(tokens.issue("a-1", "c", "r")).nonce());
    }

    @Test
    void aTamperedPayloadIsRefused() {
        String token = tokens.issue("a-1", "clinic", "ops");
        String payload = new String(Base64.getUrlDecoder().decode(token.substring(0, token.indexOf('.'))));
        String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(payload.replace("clinic", "other").getBytes())
                + token.substring(token.indexOf('.'));

        assertThatThrownBy(() -> tokens.verify(forged)).isInstanceOf(AckTokens.Refused.class).hasMessageContaining("altered");
    }

    @Test
    void aTokenSignedWithAnotherSecretIsRefused() {
        String foreign = new AckTokens("another-secret-of-at-least-32-characters", Duration.ofHours(24), Clock.systemUTC()).issue("a-1", "c", "r");

        assertThatThrownBy(() -> tokens.verify(foreign)).isInstanceOf(AckTokens.Refused.class);
    }

    @Test
    void anExpiredTokenIsRefused() {
        String token = tokens.issue("a-1", "clinic", "ops");
        AckTokens dayAfter = new AckTokens(SECRET, Duration.ofHours(24), Clock.fixed(NOW.plus(Duration.ofHours(24)), ZoneOffset.UTC));

        assertThatThrownBy(() -> dayAfter.verify(token)).isInstanceOf(AckTokens.Refused.class).hasMessageContaining("expired");
    }

    @Test
    void garbageIsRefused() {
        assertThatThrownBy(() -> tokens.verify("not-a-token")).isInstanceOf(AckTokens.Refused.class);
        assertThatThrownBy(() -> tokens.verify("!!.??")).isInstanceOf(AckTokens.Refused.class);
    }
}
