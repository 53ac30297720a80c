package io.tiltfleet.notification.channels;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SignatureTest {

    @Test
    void theSignatureIsTheHexHmacSha256OfTheBodyAsGitHubSignsWebhooks() {
        // the example of GitHub's webhook documentation ("Validating webhook deliveries")
        assertThat(Signature.of("It's a Secret to Everybody", "Hello, World!".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
    }

    @Test
    void rfc4231TestCase2() {
        assertThat(Signature.of("Jefe", "what do ya want for nothing?".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }
}
