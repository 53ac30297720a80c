package io.tiltfleet.gateway.limits;

import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.tiltfleet.gateway.GatewayProperties;
import java.security.Principal;
import java.time.Duration;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * A budget of requests per credential and period (Resilience4j rate limiters, one per credential):
 * over it, a 429 with {@code Retry-After} in whole seconds, and the caller's other budget is untouched
 * by anyone else's. It sits in Spring Security's chain between authentication and authorization, so
 * that the credential is known and every request that carries one counts, those its roles or fleets
 * refuse too, whatever the path. Requests without a valid credential have the client address's budget
 * instead ({@link AddressRateLimit}).
 */
public final class RateLimitFilter implements WebFilter {

    private final RateLimiterRegistry limiters;
    private final TooManyRequests tooMany;

    public RateLimitFilter(GatewayProperties properties, MeterRegistry registry) {
        this.limiters = RateLimiterRegistry.of(RateLimiterConfig.custom().limitForPeriod(properties.rateLimit().requests())
                .limitRefreshPeriod(properties.rateLimit().per()).timeoutDuration(Duration.ZERO).build());
        this.tooMany = new TooManyRequests(registry, "credential");
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        return exchange.getPrincipal().map(Principal::getName).map(limiters::rateLimiter)
                .flatMap(limiter -> limiter.acquirePermission() ? chain.filter(exchange).then(Mono.just(true))
                        : tooMany.refuse(exchange, limiter, "this credential", "requests").thenReturn(false))
                .switchIfEmpty(Mono.defer(() -> chain.filter(exchange).then(Mono.just(true))))
                .then();
    }
}
