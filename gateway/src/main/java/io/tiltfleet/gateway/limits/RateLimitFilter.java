package io.tiltfleet.gateway.limits;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tiltfleet.gateway.GatewayProperties;
import io.tiltfleet.gateway.ProblemResponses;
import java.security.Principal;
import java.time.Duration;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * A budget of requests per credential and period (Resilience4j rate limiters, one per credential):
 * over it, a 429 with {@code Retry-After} in whole seconds, and the caller's other budget is untouched
 * by anyone else's. Runs after authentication, so the credential is known.
 */
@Component
class RateLimitFilter implements WebFilter, Ordered {

    static final String REJECTED = "tiltfleet.gateway.rate.limited";

    private final RateLimiterRegistry limiters;
    private final Counter rejected;

    RateLimitFilter(GatewayProperties properties, MeterRegistry registry) {
        this.limiters = RateLimiterRegistry.of(RateLimiterConfig.custom().limitForPeriod(properties.rateLimit().requests())
                .limitRefreshPeriod(properties.rateLimit().per()).timeoutDuration(Duration.ZERO).build());
        this.rejected = Counter.builder(REJECTED).description("Requests refused because their credential used up its budget").register(registry);
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (!exchange.getRequest().getPath().value().startsWith("/api/")) {
            return chain.filter(exchange);
        }
        return exchange.getPrincipal().map(Principal::getName).map(limiters::rateLimiter)
                .flatMap(limiter -> limiter.acquirePermission() ? chain.filter(exchange).then(Mono.just(true)) : refuse(exchange, limiter))
                .switchIfEmpty(Mono.defer(() -> chain.filter(exchange).then(Mono.just(true))))
                .then();
    }

    private Mono<Boolean> refuse(ServerWebExchange exchange, RateLimiter limiter) {
        rejected.increment();
        long nanosToWait = limiter instanceof AtomicRateLimiter atomic ? atomic.getDetailedMetrics().getNanosToWait()
                : limiter.getRateLimiterConfig().getLimitRefreshPeriod().toNanos();
        long seconds = Math.max(1, (long) Math.ceil(nanosToWait / 1e9));
        exchange.getResponse().getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
        return ProblemResponses.write(exchange, HttpStatus.TOO_MANY_REQUESTS, "this credential made more than "
                + limiter.getRateLimiterConfig().getLimitForPeriod() + " requests in "
                + limiter.getRateLimiterConfig().getLimitRefreshPeriod().toSeconds() + " s; try again in " + seconds + " s").thenReturn(false);
    }

    /** After Spring Security's filter chain (order -100). */
    @Override
    public int getOrder() {
        return 0;
    }
}
