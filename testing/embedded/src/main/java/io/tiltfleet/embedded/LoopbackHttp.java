package io.tiltfleet.embedded;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/** Requests to a service on 127.0.0.1, for tests and benchmarks that wait for it, read its metrics or call its API. */
public final class LoopbackHttp {

    private static final JsonMapper JSON = JsonMapper.shared();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private LoopbackHttp() {
    }

    /**
     * Whether the service on the port says it is UP itself, in {@code /actuator/health}: not any of its
     * components, which say UP while the service is DOWN (the ingest's disk while its MQTT subscription is not
     * granted, and what tables publish before the grant is dropped). False while nothing, or something that
     * is no health endpoint, answers.
     */
    public static boolean isUp(int port) {
        String health = get(port, "/actuator/health");
        try {
            return !health.isBlank() && "UP".equals(JSON.readTree(health).path("status").asString());
        } catch (JacksonException notHealth) {
            return false;
        }
    }

    /** The response body, or an empty string while nothing answers on the port. */
    public static String get(int port, String path) {
        try {
            return CLIENT.send(HttpRequest.newBuilder(uri(port, path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** A request with a body (none if null) and exactly these headers, Content-Type included; fails if nothing answers. */
    public static HttpResponse<String> send(int port, String method, String path, String body, Map<String, String> headers) throws IOException {
        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(port, path)).timeout(Duration.ofSeconds(10)).method(method, publisher);
        headers.forEach(request::header);
        try {
            return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static URI uri(int port, String path) {
        return URI.create("http://" + Ports.LOOPBACK + ":" + port + path);
    }
}
