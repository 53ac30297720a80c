package io.tiltfleet.safety.api;

import io.tiltfleet.contract.CallerHeaders;
import io.tiltfleet.safety.SafetyProperties;
import java.util.List;
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
 * Defence in depth behind the gateway: an {@code /api} call must say who calls and which fleets it
 * may see (the gateway's caller headers), and a path naming a fleet must name one of the caller's. The fleet is read from the
 * decoded path by the same pattern matching the controllers use, so no spelling of a path reaches a
 * controller with a fleet other than the one checked here.
 */
@Component
class CallerFilter implements WebFilter {

    private static final PathPattern API = PathPatternParser.defaultInstance.parse("/api/**");
    private static final List<PathPattern> FLEET_PATHS = List.of(PathPatternParser.defaultInstance.parse("/api/fleet/{fleetId}/**"),
            PathPatternParser.defaultInstance.parse("/api/fleets/{fleetId}/**"));

    private final boolean allowCallsWithoutCaller;
    private final JsonMapper json;

    CallerFilter(SafetyProperties properties, JsonMapper json) {
        this.allowCallsWithoutCaller = properties.allowCallsWithoutCaller();
        this.json = json;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        PathContainer path = exchange.getRequest().getPath().pathWithinApplication();
        if (!API.matches(path)) {
            return chain.filter(exchange);
        }
        String fleets = exchange.getRequest().getHeaders().getFirst(CallerHeaders.FLEETS);
        String name = exchange.getRequest().getHeaders().getFirst(CallerHeaders.CALLER);
        // both, or an acknowledgement would be recorded under the name in its body
        if ((fleets == null || name == null) && !allowCallsWithoutCaller) {
            return refuse(exchange, HttpStatus.UNAUTHORIZED, "calls must come through the gateway: it names the caller in "
                    + CallerHeaders.CALLER + " and its fleets in " + CallerHeaders.FLEETS);
        }
        Caller caller = Caller.of(name, fleets);
        for (PathPattern fleetPaths : FLEET_PATHS) {
            PathPattern.PathMatchInfo fleetPath = fleetPaths.matchAndExtract(path);
            if (fleetPath != null && !caller.maySee(fleetPath.getUriVariables().get("fleetId"))) {
                return refuse(exchange, HttpStatus.FORBIDDEN, "the caller may not see fleet '" + fleetPath.getUriVariables().get("fleetId") + "'");
            }
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
