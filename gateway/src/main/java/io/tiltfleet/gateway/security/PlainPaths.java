package io.tiltfleet.gateway.security;

import io.tiltfleet.gateway.ProblemResponses;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Refuses (400) any request whose path holds a percent sign, before anything else looks at it. Spring
 * Security's rules, the routes and the services match the decoded path, while a check reading the
 * path as sent would see {@code /api/%66leet/fleet-2} where they see {@code /api/fleet/fleet-2}; with
 * no percent sign (and no {@code ;}, {@code //} or dot segment, which the firewall refuses) the path
 * as sent is the path as decoded, so that every check sees what the service will. Nothing served here
 * needs one: fleet, table and alert ids are {@code [A-Za-z0-9_-]}, and the dashboard's files have
 * plain names. The query string is not the path: its values are decoded alike everywhere.
 */
@Component
class PlainPaths implements WebFilter, Ordered {

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (exchange.getRequest().getURI().getRawPath().indexOf('%') >= 0) {
            return ProblemResponses.write(exchange, HttpStatus.BAD_REQUEST, "the path may not hold percent-encoded characters:"
                    + " fleet, table and alert ids never need encoding; send them as they are");
        }
        return chain.filter(exchange);
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }
}
