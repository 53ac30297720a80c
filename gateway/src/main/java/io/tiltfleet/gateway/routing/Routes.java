package io.tiltfleet.gateway.routing;

import static org.springframework.cloud.gateway.support.RouteMetadataUtils.CONNECT_TIMEOUT_ATTR;
import static org.springframework.cloud.gateway.support.RouteMetadataUtils.RESPONSE_TIMEOUT_ATTR;

import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import io.tiltfleet.gateway.GatewayProperties;
import java.net.URI;
import java.time.Duration;
import org.springframework.cloud.circuitbreaker.resilience4j.ReactiveResilience4JCircuitBreakerFactory;
import org.springframework.cloud.circuitbreaker.resilience4j.Resilience4JConfigBuilder;
import org.springframework.cloud.client.circuitbreaker.Customizer;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.cloud.gateway.route.builder.Buildable;
import org.springframework.cloud.gateway.route.builder.RouteLocatorBuilder;
import org.springframework.cloud.gateway.route.builder.BooleanSpec;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;

/**
 * The public API: {@code /api/fleet/**}, {@code /api/alerts/**} and a fleet's settings and audit trail to the safety-alert service,
 * {@code /api/analytics/**} to the analytics service, a fleet's notification policy and data, the notification list
 * and the acknowledgement links to the notification service. Each route has its own circuit breaker, so a
 * service that is down answers a fast 503 without touching the others. Event streams and exports (the audit trail's too)
 * run as long as the client reads: they have no response timeout, and their breakers count only
 * failures, not duration. A removal of a fleet's data has a longer timeout and a breaker of its own: a slow one must
 * not answer 503 while it runs on, nor open the breaker every other call of its service goes through.
 */
@Configuration(proxyBeanMethods = false)
class Routes {

    static final String SAFETY_STREAM = "safety-stream";
    static final String SAFETY = "safety";
    static final String ANALYTICS_EXPORTS = "analytics-exports";
    static final String ANALYTICS = "analytics";
    static final String NOTIFICATION_EXPORTS = "notification-exports";
    static final String NOTIFICATION = "notification";
    static final String SAFETY_REMOVALS = "safety-removals";
    static final String ANALYTICS_REMOVALS = "analytics-removals";
    static final String NOTIFICATION_REMOVALS = "notification-removals";
    private static final Duration LONGEST_STREAM = Duration.ofDays(1);

    @Bean
    RouteLocator tiltfleetRoutes(RouteLocatorBuilder routes, GatewayProperties properties) {
        long timed = properties.responseTimeout().toMillis();
        long removal = properties.removalTimeout().toMillis();
        return routes.routes()
                .route(SAFETY_STREAM, r -> route(r.order(-1).method(HttpMethod.GET).and()
                                .path("/api/fleet/*/stream", "/api/fleets/*/audit/export", "/api/fleets/*/alerts/export", "/api/fleets/*/data"),
                        SAFETY_STREAM, "safety-alert-service", properties.safetyUri(), properties, -1))
                .route(SAFETY_REMOVALS, r -> route(r.order(-1).method(HttpMethod.DELETE).and().path("/api/fleets/*/data"), SAFETY_REMOVALS,
                        "safety-alert-service", properties.safetyUri(), properties, removal))
                .route(SAFETY, r -> route(r.path("/api/fleet/**", "/api/alerts/**", "/api/fleets/*/settings", "/api/fleets/*/audit", "/api/fleets/*/data"),
                        SAFETY, "safety-alert-service", properties.safetyUri(), properties, timed))
                .route(ANALYTICS_EXPORTS, r -> route(r.order(-1).method(HttpMethod.GET).and()
                                .path("/api/analytics/fleets/*/exports/**", "/api/analytics/fleets/*/data"), ANALYTICS_EXPORTS,
                        "analytics-service", properties.analyticsUri(), properties, -1))
                .route(ANALYTICS_REMOVALS, r -> route(r.order(-1).method(HttpMethod.DELETE).and().path("/api/analytics/fleets/*/data"),
                        ANALYTICS_REMOVALS, "analytics-service", properties.analyticsUri(), properties, removal))
                .route(ANALYTICS, r -> route(r.path("/api/analytics/**"), ANALYTICS, "analytics-service", properties.analyticsUri(), properties, timed))
                .route(NOTIFICATION_EXPORTS, r -> route(r.order(-1).method(HttpMethod.GET).and().path("/api/fleets/*/notification-data"),
                        NOTIFICATION_EXPORTS, "notification-service", properties.notificationUri(), properties, -1))
                .route(NOTIFICATION_REMOVALS, r -> route(r.order(-1).method(HttpMethod.DELETE).and().path("/api/fleets/*/notification-data"),
                        NOTIFICATION_REMOVALS, "notification-service", properties.notificationUri(), properties, removal))
                .route(NOTIFICATION, r -> route(r.path("/api/fleets/*/notification-policies", "/api/notifications", "/api/notifications/ack/*",
                                "/api/fleets/*/notification-data"),
                        NOTIFICATION, "notification-service", properties.notificationUri(), properties, timed))
                .build();
    }

    /** Credentials stay at the gateway (bodies are bounded before, by RequestSizeLimit); failures fall back to a 503 naming the service. */
    private static Buildable<Route> route(BooleanSpec predicate, String breaker, String service,
                                          URI uri, GatewayProperties properties, long responseTimeoutMillis) {
        return predicate.filters(f -> f.removeRequestHeader("X-API-Key").removeRequestHeader("Authorization")
                        .circuitBreaker(c -> c.setName(breaker).setFallbackUri("forward:/fallback/" + service)))
                .metadata(CONNECT_TIMEOUT_ATTR, properties.connectTimeout().toMillis())
                .metadata(RESPONSE_TIMEOUT_ATTR, responseTimeoutMillis)
                .uri(uri);
    }

    /**
     * Open after half of at least 5 of the last 20 calls failed, for 10 s; a request gives up after its route's
     * response timeout and a little more. Streams and exports may last a day.
     */
    @Bean
    Customizer<ReactiveResilience4JCircuitBreakerFactory> breakers(GatewayProperties properties) {
        CircuitBreakerConfig failures = CircuitBreakerConfig.custom().slidingWindowSize(20).minimumNumberOfCalls(5)
                .failureRateThreshold(50).waitDurationInOpenState(Duration.ofSeconds(10)).build();
        return factory -> {
            factory.configureDefault(id -> new Resilience4JConfigBuilder(id).circuitBreakerConfig(failures)
                    .timeLimiterConfig(TimeLimiterConfig.custom().timeoutDuration(properties.responseTimeout().plusSeconds(5)).build())
                    .build());
            factory.configure(builder -> builder.circuitBreakerConfig(failuresOnly(failures, LONGEST_STREAM))
                    .timeLimiterConfig(TimeLimiterConfig.custom().timeoutDuration(LONGEST_STREAM).build()), SAFETY_STREAM, ANALYTICS_EXPORTS,
                    NOTIFICATION_EXPORTS);
            Duration removal = properties.removalTimeout().plusSeconds(5);
            factory.configure(builder -> builder.circuitBreakerConfig(failuresOnly(failures, removal))
                    .timeLimiterConfig(TimeLimiterConfig.custom().timeoutDuration(removal).build()), SAFETY_REMOVALS, ANALYTICS_REMOVALS,
                    NOTIFICATION_REMOVALS);
        };
    }

    private static CircuitBreakerConfig failuresOnly(CircuitBreakerConfig failures, Duration longest) {
        return CircuitBreakerConfig.from(failures).slowCallDurationThreshold(longest).build();
    }
}
