package io.tiltfleet.gateway.limits;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tiltfleet.gateway.ProblemResponses;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/** The 429 of every budget: counted by which budget ran out, with {@code Retry-After} in whole seconds when the wait is known. */
final class TooManyRequests {

    private static final String REJECTED = "tiltfleet.gateway.rate.limited";

    private final Counter rejected;

    TooManyRequests(MeterRegistry registry, String budget) {
        this.rejected = Counter.builder(REJECTED).tag("budget", budget)
                .description("Requests refused because a budget (of a credential, a client address, or open streams) was used up").register(registry);
    }

    /** Over a rate limiter's budget: retry once it refreshes. */
    Mono<Void> refuse(ServerWebExchange exchange, RateLimiter limiter, String who, String what) {
        long nanosToWait = limiter instanceof AtomicRateLimiter atomic ? atomic.getDetailedMetrics().getNanosToWait()
                : limiter.getRateLimiterConfig().getLimitRefreshPeriod().toNanos();
        long seconds = Math.max(1, (long) Math.ceil(nanosToWait / 1e9));
        exchange.getResponse().getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
        return refuse(exchange, who + " made more than " + limiter.getRateLimiterConfig().getLimitForPeriod() + " " + what + " in "
                + limiter.getRateLimiterConfig().getLimitRefreshPeriod().toSeconds() + " s; try again in " + seconds + " s");
    }

    Mono<Void> refuse(ServerWebExchange exchange, String detail) {
        rejected.increment();
        return ProblemResponses.write(exchange, HttpStatus.TOO_MANY_REQUESTS, detail);
    }
}
