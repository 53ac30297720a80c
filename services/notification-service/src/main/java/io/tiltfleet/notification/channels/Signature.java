package io.tiltfleet.notification.channels;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** The {@code X-TiltFleet-Signature} of a webhook body, as GitHub signs its webhooks: {@code sha256=<hex HMAC-SHA256>}. */
public final class Signature {

    public static final String HEADER = "X-TiltFleet-Signature";
    public static final String IDEMPOTENCY_HEADER = "X-TiltFleet-Idempotency-Key";

    private Signature() {
    }

    public static String of(String secret, byte[] body) {
        return "sha256=" + HexFormat.of().formatHex(hmacSha256(secret.getBytes(StandardCharsets.UTF_8), body));
    }

    public static byte[] hmacSha256(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
