package io.tiltfleet.notification.api;

import io.tiltfleet.contract.CallerHeaders;
import io.tiltfleet.notification.NotificationProperties;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.PathContainer;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Defence in depth behind the gateway: an {@code /api} call must name the caller's fleets (the gateway's header),
 * and a path naming a fleet must name one of them. The fleet is read from the decoded path by the same pattern
 * matching the controllers use. Ack links are the exception: their token is the credential, and the people who
 * follow them come from a chat or a mail program, not through the gateway's key check.
 */
@Component
class CallerFilter implements WebFilter {

    private static final PathPattern API = PathPatternParser.defaultInstance.parse("/api/**");
    private static final PathPattern ACK_LINK = PathPatternParser.defaultInstance.parse("/api/notifications/ack/{token}");
    private static final PathPattern FLEET_PATH = PathPatternParser.defaultInstance.parse("/api/fleets/{fleetId}/**");

    private final boolean allowCallsWithoutCaller;
    private final JsonMapper json;

    CallerFilter(NotificationProperties properties, JsonMapper json) {
        this.allowCallsWithoutCaller = properties.allowCallsWithoutCaller();
        this.json = json;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        PathContainer path = exchange.getRequest().getPath().pathWithinApplication();
        if (!API.matches(path) || ACK_LINK.matches(path)) {
            return chain.filter(exchange);
        }
        String fleets = exchange.getRequest().getHeaders().getFirst(CallerHeaders.FLEETS);
        if (fleets == null && !allowCallsWithoutCaller) {
            return refuse(exchange, HttpStatus.UNAUTHORIZED, "calls must come through the gateway: this request names no caller ("
                    + CallerHeaders.FLEETS + ")");
        }
        PathPattern.PathMatchInfo fleetPath = FLEET_PATH.matchAndExtract(path);
        if (fleetPath != null && !Caller.of(fleets).maySee(fleetPath.getUriVariables().get("fleetId"))) {
            return refuse(exchange, HttpStatus.FORBIDDEN, "the caller may not see fleet '" + fleetPath.getUriVariables().get("fleetId") + "'");
        }
        return chain.filter(exchange);
    }

    private Mono<Void> refuse(ServerWebExchange exchange, HttpStatus status, String detail) {
        exchange.getResponse().setStatusCode(status);
        exchange.getResponse().getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        byte[] body = json.writeValueAsBytes(Map.of("title", status.getReasonPhrase(), "status", status.value(), "detail", detail,
                "instance", exchange.getRequest().getPath().value()));
        return exchange.getResponse().writeWith(Mono.just(exchange.getResponse().bufferFactory().wrap(body)));
    }
}
