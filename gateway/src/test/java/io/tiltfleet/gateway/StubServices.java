package io.tiltfleet.gateway;

import io.tiltfleet.embedded.RunningService;
import java.time.Duration;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * Stand-ins for the safety-alert, analytics and notification services: each answers with what it received (which
 * service, method, path, whether a credential reached it, who the gateway says the caller is, and the names of every
 * {@code X-TiltFleet-*} header that arrived); the safety one streams five events
 * 300 ms apart (for fleet {@code endless}: one every 300 ms until the client goes) and answers {@code /api/alerts/slow} after 1.5 s
 * and {@code /api/alerts/slower} after 4 s; the analytics one answers a removal of a fleet's data after 4 s.
 */
final class StubServices implements AutoCloseable {

    final DisposableServer safety;
    final DisposableServer analytics;
    final DisposableServer notification;

    private StubServices() {
        safety = HttpServer.create().host("127.0.0.1").port(0).route(routes -> routes
                .get("/api/fleet/{fleetId}/stream", (request, response) -> response.header("Content-Type", "text/event-stream")
                        .sendString(Flux.interval(Duration.ofMillis(300)).take("endless".equals(request.param("fleetId")) ? Long.MAX_VALUE : 5)
                                .map(n -> "event: table\ndata: {\"n\":" + n + "}\n\n")))
                .get("/api/alerts/slow", (request, response) -> echo("safety", request, response).delaySubscription(Duration.ofMillis(1500)))
                .get("/api/alerts/slower", (request, response) -> echo("safety", request, response).delaySubscription(Duration.ofSeconds(4)))
                .route(request -> true, (request, response) -> echo("safety", request, response))).bindNow();
        analytics = HttpServer.create().host("127.0.0.1").port(0)
                .route(routes -> routes.delete("/api/analytics/fleets/{fleetId}/data",
                                (request, response) -> echo("analytics", request, response).delaySubscription(Duration.ofSeconds(4)))
                        .route(request -> true, (request, response) -> echo("analytics", request, response))).bindNow();
        notification = HttpServer.create().host("127.0.0.1").port(0)
                .route(routes -> routes.route(request -> true, (request, response) -> echo("notification", request, response))).bindNow();
    }

    static StubServices start() {
        return new StubServices();
    }

    /** The gateway of the local run in front of these stand-ins, with budgets no test of roles and paths runs out of. */
    RunningService gatewayInFront() {
        return RunningService.of(GatewayApplication.builder().profiles("local")).with("--management.server.port=0",
                "--tiltfleet.gateway.safety-uri=" + safetyUri(), "--tiltfleet.gateway.analytics-uri=" + analyticsUri(),
                "--tiltfleet.gateway.notification-uri=" + notificationUri(),
                "--tiltfleet.gateway.rate-limit.requests=10000", "--tiltfleet.gateway.address-rate-limit.requests=10000").start();
    }

    private static Mono<Void> echo(String service, HttpServerRequest request, HttpServerResponse response) {
        String body = "{\"service\":\"" + service + "\",\"method\":\"" + request.method().name() + "\",\"path\":\"" + request.uri()
                + "\",\"credentialForwarded\":" + (request.requestHeaders().contains("X-API-Key") || request.requestHeaders().contains("Authorization"))
                + ",\"fleets\":\"" + request.requestHeaders().get("X-TiltFleet-Fleets") + "\",\"caller\":\"" + request.requestHeaders().get("X-TiltFleet-Caller")
                + "\",\"gatewayHeaders\":\"" + String.join(",", request.requestHeaders().names().stream()
                        .filter(name -> name.regionMatches(true, 0, "X-TiltFleet-", 0, 12)).sorted().toList()) + "\"}";
        return response.header("Content-Type", "application/json").sendString(Mono.just(body)).then();
    }

    String safetyUri() {
        return "http://127.0.0.1:" + safety.port();
    }

    String analyticsUri() {
        return "http://127.0.0.1:" + analytics.port();
    }

    String notificationUri() {
        return "http://127.0.0.1:" + notification.port();
    }

    @Override
    public void close() {
        safety.disposeNow();
        analytics.disposeNow();
        notification.disposeNow();
    }
}
