package io.tiltfleet.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class LocalWebhookReceiverTest {

    static final String SECRET = "demo-webhook-secret";
    static final String NOTIFICATION = """
            {"idempotencyKey":"a-1/1/0/ops","alertId":"a-1","fleetId":"fleet-1","tableId":"table-007","type":"OVER_ANGLE",\
            "severity":"CRITICAL","state":"ACTIVE_UNACKNOWLEDGED","reason":"82 deg","raisedAt":"2026-12-02T07:00:00Z","tier":2,\
            "sequence":0,"acknowledgeUrl":"http://127.0.0.1:8080/api/notifications/ack/t","sentAt":"2026-12-02T07:02:00Z"}""";

    @Test
    void aSignedNotificationIsPrintedAsVerifiedAndAForgedOneIsRefused() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        try (LocalWebhookReceiver receiver = LocalWebhookReceiver.start(0, SECRET, lines::add)) {
            int signed = post(receiver.port(), "sha256=" + hmac(SECRET, NOTIFICATION));
            int forged = post(receiver.port(), "sha256=" + hmac("another-secret", NOTIFICATION));
            int unsigned = post(receiver.port(), null);

            assertThat(List.of(signed, forged, unsigned)).containsExactly(204, 401, 401);
            assertThat(lines).hasSize(3);
            assertThat(lines.get(0)).endsWith(" webhook: CRITICAL OVER_ANGLE fleet-1/table-007 tier 2, signature verified");
            assertThat(lines.get(1)).endsWith("signature NOT verified (answered 401)");
            assertThat(lines.get(2)).endsWith("signature NOT verified (answered 401)");
        }
    }

    private static int post(int port, String signature) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + LocalWebhookReceiver.PATH))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(NOTIFICATION));
        if (signature != null) {
            request.header(LocalWebhookReceiver.SIGNATURE_HEADER, signature);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static String hmac(String secret, String body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    }
}
