package io.tiltfleet.embedded;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** GETs against a service on 127.0.0.1, for tests and benchmarks that wait for it or read its metrics. */
public final class LoopbackHttp {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private LoopbackHttp() {
    }

    /** The response body, or an empty string while nothing answers on the port. */
    public static String get(int port, String path) {
        try {
            return CLIENT.send(HttpRequest.newBuilder(URI.create("http://" + Ports.LOOPBACK + ":" + port + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
