package io.tiltfleet.gateway.limits;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.tiltfleet.gateway.GatewayProperties;
import io.tiltfleet.gateway.security.NotificationPaths;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.springframework.core.Ordered;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * A budget per client address for what no credential pays for: OPTIONS requests (preflights, which
 * carry none), a notification's acknowledgement links (whose token is checked by the notification
 * service, not here) and requests refused with 401 (no credential, or a wrong one). Checked before
 * authentication, so that an address that used its budget up, by guessing keys or flooding, gets 429
 * for everything, without the gateway checking another key or token for it, until the period ends.
 * Requests that end otherwise cost it nothing: the credential's own budget ({@link RateLimitFilter})
 * counts those, so that callers sharing an address (an office behind one NAT) do not hold each other back
 * until one of them guesses keys. Only {@code /api} calls and OPTIONS are ever refused: the dashboard's
 * files and the health probes (which may share the address of an abuser, such as a node's) never are.
 */
@Component
class AddressRateLimit implements WebFilter, Ordered {

    /** Enough addresses to remember under a flood from many, without growing for ever. */
    private static final long ADDRESSES = 100_000;

    private static final String REQUESTS = "OPTIONS requests and requests without a valid credential";

    private final LoadingCache<String, RateLimiter> limiters;
    private final TooManyRequests tooMany;

    AddressRateLimit(GatewayProperties properties, MeterRegistry registry) {
        RateLimiterConfig config = RateLimiterConfig.custom().limitForPeriod(properties.addressRateLimit().requests())
                .limitRefreshPeriod(properties.addressRateLimit().per()).timeoutDuration(Duration.ZERO).build();
        // an address not seen for two periods has its whole budget back: forgetting it changes nothing
        this.limiters = Caffeine.newBuilder().maximumSize(ADDRESSES).expireAfterAccess(properties.addressRateLimit().per().multipliedBy(2))
                .build(address -> RateLimiter.of(address, config));
        this.tooMany = new TooManyRequests(registry, "address");
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        RateLimiter limiter = limiters.get(addressOf(exchange));
        if (HttpMethod.OPTIONS.equals(exchange.getRequest().getMethod())
                || NotificationPaths.isAcknowledgementLink(exchange.getRequest().getPath().value())) {
            return limiter.acquirePermission() ? chain.filter(exchange) : tooMany.refuse(exchange, limiter, "this address", REQUESTS);
        }
        boolean apiCall = exchange.getRequest().getPath().value().regionMatches(true, 0, "/api/", 0, 5);
        if (apiCall && limiter.getMetrics().getAvailablePermissions() <= 0) {
            return tooMany.refuse(exchange, limiter, "this address", REQUESTS);
        }
        exchange.getResponse().beforeCommit(() -> Mono.fromRunnable(() -> {
            if (HttpStatus.UNAUTHORIZED.equals(exchange.getResponse().getStatusCode())) {
                limiter.acquirePermission();
            }
        }));
        return chain.filter(exchange);
    }

    /**
     * The peer's address. Forwarded headers are not read (gateway.yml: any client could send them);
     * behind a proxy it is the proxy's, shared by every client behind it.
     */
    private static String addressOf(ServerWebExchange exchange) {
        InetSocketAddress remote = exchange.getRequest().getRemoteAddress();
        return remote == null || remote.getAddress() == null ? "unknown" : remote.getAddress().getHostAddress();
    }

    /** Before Spring Security (order -100) and after the checks that need no state (path, body size). */
    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 10;
    }
}
