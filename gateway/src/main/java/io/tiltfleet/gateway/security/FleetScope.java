package io.tiltfleet.gateway.security;

import io.tiltfleet.contract.CallerHeaders;
import io.tiltfleet.gateway.ProblemResponses;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Keeps each credential to its fleets. A credential carries {@code FLEET_<fleetId>} authorities
 * ({@code FLEET_*}: every fleet); any fleet a request names, in its path or in the alert or notification list's
 * {@code fleetId}, must be one of them, and a credential limited to some fleets must name one when it
 * lists alerts or notifications. The services learn the caller and its fleets from headers the gateway
 * sets (whatever the client sent under those names is replaced), so that they can scope what no request
 * names: an alert read or acknowledged by its id. A request without a credential, and a notification's
 * acknowledgement link even with one, reaches them with none of the gateway's headers: the link's token
 * says who acknowledges, and a client must not be able to say otherwise.
 */
final class FleetScope implements WebFilter {

    static final String AUTHORITY_PREFIX = "FLEET_";

    /*
     * Matched on the path as sent, which PlainPaths and the firewall keep equal to the decoded path the
     * routes and services match; the fixed words in any letter case, so that the scope never depends on
     * a service matching them case-sensitively. Fleet ids are compared exactly, as the services do.
     */
    private static final List<Pattern> FLEET_PATHS = List.of(
            Pattern.compile("^/(?i:api/fleet)/([^/]*)(/.*)?$"),
            Pattern.compile("^/(?i:api/analytics/fleets)/([^/]*)(/.*)?$"),
            Pattern.compile("^/(?i:api/fleets)/([^/]*)(/.*)?$"));
    /** The lists whose services bind a fleet filter as fleetId, by what they list. */
    private static final Map<Pattern, String> FLEET_FILTERED_LISTS = Map.of(
            Pattern.compile("^/(?i:api/alerts)/?$"), "alerts",
            Pattern.compile("^/(?i:api/notifications)/?$"), "notifications");
    private static final String FLEET_PARAMETER = "fleetId";
    /** The gateway's own headers (CallerHeaders and any it may add): a client never sets one. */
    private static final String GATEWAY_HEADER_PREFIX = "X-TiltFleet-";

    static Set<String> fleetsOf(Authentication authentication) {
        return authentication.getAuthorities().stream().map(GrantedAuthority::getAuthority)
                .filter(authority -> authority.startsWith(AUTHORITY_PREFIX)).map(authority -> authority.substring(AUTHORITY_PREFIX.length()))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        return exchange.getPrincipal().map(Optional::of).defaultIfEmpty(Optional.empty()).flatMap(principal -> {
            if (principal.isEmpty() || !(principal.get() instanceof Authentication authentication)
                    || NotificationPaths.isAcknowledgementLink(exchange.getRequest().getPath().value())) {
                return chain.filter(exchange.mutate().request(request -> request.headers(headers -> {
                    headers.headerNames().stream().filter(name -> name.regionMatches(true, 0, GATEWAY_HEADER_PREFIX, 0, GATEWAY_HEADER_PREFIX.length()))
                            .toList().forEach(headers::remove);
                    headers.remove(HttpHeaders.CONNECTION);
                })).build());
            }
            Set<String> fleets = fleetsOf(authentication);
            Optional<String> refusal = refusal(exchange.getRequest(), fleets);
            if (refusal.isPresent()) {
                return ProblemResponses.write(exchange, HttpStatus.FORBIDDEN, authentication.getName() + " " + refusal.get());
            }
            String allowed = fleets.contains(CallerHeaders.EVERY_FLEET) ? CallerHeaders.EVERY_FLEET : String.join(",", fleets);
            return chain.filter(exchange.mutate().request(request -> request.headers(headers -> {
                headers.set(CallerHeaders.FLEETS, allowed);
                headers.set(CallerHeaders.CALLER, authentication.getName());
                // the routing drops every header a client's Connection header names (hop-by-hop): it must not name these
                headers.remove(HttpHeaders.CONNECTION);
            })).build());
        });
    }

    private static Optional<String> refusal(ServerHttpRequest request, Set<String> fleets) {
        if (fleets.contains(CallerHeaders.EVERY_FLEET)) {
            return Optional.empty();
        }
        String path = request.getPath().value();
        for (Pattern fleetPath : FLEET_PATHS) {
            Matcher matcher = fleetPath.matcher(path);
            if (matcher.matches() && !fleets.contains(matcher.group(1))) {
                return Optional.of(mayNotSee(matcher.group(1), fleets));
            }
        }
        return FLEET_FILTERED_LISTS.entrySet().stream().filter(list -> list.getKey().matcher(path).matches()).findFirst()
                .flatMap(list -> listRefusal(list.getValue(), request, fleets));
    }

    private static Optional<String> listRefusal(String listed, ServerHttpRequest request, Set<String> fleets) {
        // the service binds fleetId in exactly this case: any other spelling would reach it as no filter at all
        Optional<String> misspelt = request.getQueryParams().keySet().stream()
                .filter(name -> name.equalsIgnoreCase(FLEET_PARAMETER) && !name.equals(FLEET_PARAMETER)).findFirst();
        if (misspelt.isPresent()) {
            return Optional.of("may list " + listed + " of its fleets only, named as fleetId, not " + misspelt.get());
        }
        List<String> named = request.getQueryParams().getOrDefault(FLEET_PARAMETER, List.of()).stream()
                .map(fleet -> fleet == null ? "" : fleet).toList();   // "?fleetId" without a value names no fleet
        if (named.isEmpty()) {
            return Optional.of("may list " + listed + " of its fleets only: add fleetId=" + String.join(" or fleetId=", fleets));
        }
        return named.stream().filter(fleet -> !fleets.contains(fleet)).findFirst().map(fleet -> mayNotSee(fleet, fleets));
    }

    private static String mayNotSee(String fleet, Set<String> fleets) {
        return "may not see fleet '" + fleet + "': its credential covers " + (fleets.isEmpty() ? "no fleet" : String.join(", ", fleets));
    }
}
