package io.tiltfleet.gateway.security;

import io.tiltfleet.gateway.ProblemResponses;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
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
 * ({@code FLEET_*}: every fleet); any fleet a request names, in its path or in the alert list's
 * {@code fleetId}, must be one of them, and a credential limited to some fleets must name one when it
 * lists alerts. The services learn the caller and its fleets from headers the gateway sets (whatever
 * the client sent under those names is replaced), so that they can scope what no request names: an
 * alert read or acknowledged by its id.
 */
final class FleetScope implements WebFilter {

    /** The fleets the caller may see, comma-separated, or {@code *}; the safety service reads it. */
    static final String FLEETS_HEADER = "X-TiltFleet-Fleets";
    /** Who the caller is, as the services record it (e.g. who acknowledged an alert). */
    static final String CALLER_HEADER = "X-TiltFleet-Caller";
    static final String AUTHORITY_PREFIX = "FLEET_";
    static final String EVERY_FLEET = "*";

    private static final List<Pattern> FLEET_PATHS = List.of(
            Pattern.compile("^/api/fleet/([^/]*)(/.*)?$"),
            Pattern.compile("^/api/analytics/fleets/([^/]*)(/.*)?$"));
    private static final Pattern ALERT_LIST = Pattern.compile("^/api/alerts/?$");

    static Set<String> fleetsOf(Authentication authentication) {
        return authentication.getAuthorities().stream().map(GrantedAuthority::getAuthority)
                .filter(authority -> authority.startsWith(AUTHORITY_PREFIX)).map(authority -> authority.substring(AUTHORITY_PREFIX.length()))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        return exchange.getPrincipal().map(Optional::of).defaultIfEmpty(Optional.empty()).flatMap(principal -> {
            if (principal.isEmpty() || !(principal.get() instanceof Authentication authentication)) {
                return chain.filter(exchange.mutate().request(request -> request.headers(headers -> {
                    headers.remove(FLEETS_HEADER);
                    headers.remove(CALLER_HEADER);
                })).build());
            }
            Set<String> fleets = fleetsOf(authentication);
            Optional<String> refusal = refusal(exchange.getRequest(), fleets);
            if (refusal.isPresent()) {
                return ProblemResponses.write(exchange, HttpStatus.FORBIDDEN, authentication.getName() + " " + refusal.get());
            }
            String allowed = fleets.contains(EVERY_FLEET) ? EVERY_FLEET : String.join(",", fleets);
            return chain.filter(exchange.mutate().request(request -> request.headers(headers -> {
                headers.set(FLEETS_HEADER, allowed);
                headers.set(CALLER_HEADER, authentication.getName());
            })).build());
        });
    }

    private static Optional<String> refusal(ServerHttpRequest request, Set<String> fleets) {
        if (fleets.contains(EVERY_FLEET)) {
            return Optional.empty();
        }
        String path = request.getPath().value();
        for (Pattern fleetPath : FLEET_PATHS) {
            Matcher matcher = fleetPath.matcher(path);
            if (matcher.matches() && !fleets.contains(matcher.group(1))) {
                return Optional.of(mayNotSee(matcher.group(1), fleets));
            }
        }
        if (ALERT_LIST.matcher(path).matches()) {
            Collection<String> named = request.getQueryParams().getOrDefault("fleetId", List.of());
            if (named.isEmpty()) {
                return Optional.of("may list alerts of its fleets only: add fleetId=" + String.join(" or fleetId=", fleets));
            }
            return named.stream().filter(fleet -> !fleets.contains(fleet)).findFirst().map(fleet -> mayNotSee(fleet, fleets));
        }
        return Optional.empty();
    }

    private static String mayNotSee(String fleet, Set<String> fleets) {
        return "may not see fleet '" + fleet + "': its credential covers " + (fleets.isEmpty() ? "no fleet" : String.join(", ", fleets));
    }
}
