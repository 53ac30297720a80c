package io.tiltfleet.notification.acklinks;

import io.tiltfleet.notification.channels.Signature;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Ack-link tokens: {@code base64url(payload) + "." + base64url(HMAC-SHA256(payload, secret))}, the payload naming the
 * alert, its fleet, the recipient, an expiry and a random nonce (which makes each token usable once, see
 * {@link UsedTokens}). Whoever holds one may acknowledge that one alert, as that recipient, until it expires.
 */
public final class AckTokens {

    /** What a valid token says. */
    public record Claims(String alertId, String fleetId, String recipient, long expiresAt, String nonce) {
    }

    /** Why a token is refused. */
    public static final class Refused extends Exception {
        public Refused(String message) {
            super(message);
        }
    }

    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int MAX_LENGTH = 2048;

    private final byte[] secret;
    private final Duration ttl;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public AckTokens(String secret, Duration ttl, Clock clock) {
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        this.ttl = ttl;
        this.clock = clock;
    }

    public String issue(String alertId, String fleetId, String recipient) {
        byte[] nonce = new byte[16];
        random.nextBytes(nonce);
        Claims claims = new Claims(alertId, fleetId, recipient, clock.instant().plus(ttl).getEpochSecond(), HexFormat.of().formatHex(nonce));
        byte[] payload = JSON.writeValueAsBytes(claims);
        return ENCODER.encodeToString(payload) + "." + ENCODER.encodeToString(Signature.hmacSha256(secret, payload));
    }

    public Claims verify(String token) throws Refused {
        int dot = token.indexOf('.');
        if (token.length() > MAX_LENGTH || dot < 1 || dot != token.lastIndexOf('.')) {
            throw new Refused("this is not an acknowledgement link");
        }
        byte[] payload;
        byte[] signature;
        try {
            payload = DECODER.decode(token.substring(0, dot));
            signature = DECODER.decode(token.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            throw new Refused("this is not an acknowledgement link");
        }
        // constant time: a forger learns nothing from how long a wrong signature takes to refuse
        if (!MessageDigest.isEqual(signature, Signature.hmacSha256(secret, payload))) {
            throw new Refused("this link was not issued by TiltFleet, or was altered");
        }
        Claims claims;
        try {
            claims = JSON.readValue(payload, Claims.class);
        } catch (JacksonException e) {
            throw new Refused("this is not an acknowledgement link");
        }
        if (!clock.instant().isBefore(Instant.ofEpochSecond(claims.expiresAt()))) {
            throw new Refused("this link expired at " + Instant.ofEpochSecond(claims.expiresAt()));
        }
        return claims;
    }
}
