package io.tiltfleet.gateway.limits;

import io.micrometer.core.instrument.MeterRegistry;
import io.tiltfleet.gateway.GatewayProperties;
import java.security.Principal;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.core.Ordered;
import org.springframework.http.HttpMethod;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;
import reactor.core.publisher.Mono;

/**
 * At most so many open event streams per credential: a stream holds a connection to the gateway and
 * one to the safety service for as long as the client reads, which the request rate limit does not
 * see once the stream has started. One more gets 429 until one of them ends.
 */
@Component
class StreamLimit implements WebFilter, Ordered {

    /** The event stream's route (Routes), matched as the route matches it. */
    private static final PathPattern STREAM = PathPatternParser.defaultInstance.parse("/api/fleet/{fleetId}/stream");

    private final int maxStreams;
    /** Open streams by credential; a credential with none has no entry. */
    private final Map<String, Integer> open = new ConcurrentHashMap<>();
    private final TooManyRequests tooMany;

    StreamLimit(GatewayProperties properties, MeterRegistry registry) {
        this.maxStreams = properties.maxStreamsPerCredential();
        this.tooMany = new TooManyRequests(registry, "streams");
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (!HttpMethod.GET.equals(exchange.getRequest().getMethod()) || !STREAM.matches(exchange.getRequest().getPath().pathWithinApplication())) {
            return chain.filter(exchange);
        }
        return exchange.getPrincipal().map(Principal::getName).flatMap(credential -> {
            if (!admit(credential)) {
                return tooMany.refuse(exchange, "this credential has " + maxStreams + " event streams open, the most it may hold at once;"
                        + " close one (or share one stream per fleet) and try again").thenReturn(false);
            }
            return chain.filter(exchange).doFinally(signal -> release(credential)).thenReturn(true);
        }).switchIfEmpty(Mono.defer(() -> chain.filter(exchange).then(Mono.just(true)))).then();
    }

    private boolean admit(String credential) {
        AtomicBoolean admitted = new AtomicBoolean();
        open.compute(credential, (name, streams) -> {
            int now = streams == null ? 0 : streams;
            if (now >= maxStreams) {
                return streams;
            }
            admitted.set(true);
            return now + 1;
        });
        return admitted.get();
    }

    private void release(String credential) {
        open.computeIfPresent(credential, (name, streams) -> streams == 1 ? null : streams - 1);
    }

    /** After authentication and the request budget (RateLimitFilter). */
    @Override
    public int getOrder() {
        return 1;
    }
}
