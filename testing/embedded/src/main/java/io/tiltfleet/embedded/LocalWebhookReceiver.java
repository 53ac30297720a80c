package io.tiltfleet.embedded;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.function.Consumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The local run's stand-in for a clinic's webhook receiver, so that an alert's notifications can be watched
 * without one: prints one line per notification the notification service posts (time, severity, type,
 * fleet/table, tier, and whether its {@code X-TiltFleet-Signature} verified with the demo secret). It
 * answers as a real receiver should: 204 to a verified notification, 401 to one it cannot trust, so that a
 * signature the two sides compute differently shows up as failed deliveries rather than passing unseen.
 */
public final class LocalWebhookReceiver implements AutoCloseable {

    public static final int PORT = 8099;
    public static final String PATH = "/hooks/tiltfleet";
    static final String SIGNATURE_HEADER = "X-TiltFleet-Signature";
    private static final String SIGNATURE_PREFIX = "sha256=";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpServer server;
    private final byte[] secret;
    private final Consumer<String> out;

    private LocalWebhookReceiver(int port, String secret, Consumer<String> out) throws IOException {
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        this.out = out;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.createContext(PATH, this::receive);
    }

    /** Listens on 127.0.0.1 at the port (0: any free one) and hands each notification's line to {@code out}. */
    public static LocalWebhookReceiver start(int port, String secret, Consumer<String> out) throws IOException {
        LocalWebhookReceiver receiver = new LocalWebhookReceiver(port, secret, out);
        receiver.server.start();
        return receiver;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Arguments: the demo policy's webhook secret, and the log file that gets every line as standard output does. */
    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: LocalWebhookReceiver <webhook secret> <log file>");
        }
        Path log = Path.of(args[1]);
        LocalWebhookReceiver receiver = start(PORT, args[0], line -> {
            System.out.println(line);
            append(log, line);
        });
        append(log, "webhook receiver listening on http://127.0.0.1:" + receiver.port() + PATH);
    }

    private void receive(HttpExchange exchange) throws IOException {
        try (exchange; InputStream body = exchange.getRequestBody()) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] bytes = body.readAllBytes();
            boolean verified = verified(bytes, exchange.getRequestHeaders().getFirst(SIGNATURE_HEADER));
            out.accept(LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + " webhook: " + describe(bytes)
                    + (verified ? ", signature verified" : ", signature NOT verified (answered 401)"));
            exchange.sendResponseHeaders(verified ? 204 : 401, -1);
        }
    }

    /** The header's HMAC-SHA256 of the exact body bytes, compared in constant time, as a receiver must check it. */
    private boolean verified(byte[] body, String signature) {
        if (signature == null || !signature.startsWith(SIGNATURE_PREFIX)) {
            return false;
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            byte[] expected = HexFormat.of().formatHex(mac.doFinal(body)).getBytes(StandardCharsets.US_ASCII);
            return MessageDigest.isEqual(expected, signature.substring(SIGNATURE_PREFIX.length()).getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JVM has HmacSHA256", e);
        }
    }

    private static String describe(byte[] body) {
        try {
            JsonNode notification = JSON.readTree(body);
            return "%s %s %s/%s tier %s".formatted(text(notification, "severity"), text(notification, "type"),
                    text(notification, "fleetId"), text(notification, "tableId"), text(notification, "tier"));
        } catch (JacksonException e) {
            return "a body that is not JSON (" + body.length + " bytes)";
        }
    }

    private static String text(JsonNode notification, String field) {
        JsonNode value = notification.get(field);
        return value == null || value.isNull() ? "?" : value.asString();
    }

    private static synchronized void append(Path log, String line) {
        try {
            Files.writeString(log, line + System.lineSeparator(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
