package io.tiltfleet.gateway.security;

import io.tiltfleet.gateway.GatewayProperties;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.web.authentication.preauth.PreAuthenticatedAuthenticationToken;
import org.springframework.security.web.server.authentication.ServerAuthenticationConverter;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Machine credentials: a key in the {@code X-API-Key} header, checked against the SHA-256 digests in
 * the configuration, so that the configuration holds no usable secret. A key carries its roles and the
 * fleets it may see.
 */
final class ApiKeys implements ServerAuthenticationConverter, ReactiveAuthenticationManager {

    static final String HEADER = "X-API-Key";

    private final Map<String, GatewayProperties.ApiKey> byDigest;

    ApiKeys(List<GatewayProperties.ApiKey> keys) {
        keys.forEach(key -> {
            if (!Roles.ALL.containsAll(key.roles())) {
                throw new IllegalArgumentException("API key " + key.name() + " has roles " + key.roles() + "; known roles are " + Roles.ALL);
            }
        });
        this.byDigest = keys.stream().collect(Collectors.toMap(GatewayProperties.ApiKey::sha256, Function.identity()));
    }

    @Override
    public Mono<Authentication> convert(ServerWebExchange exchange) {
        String key = exchange.getRequest().getHeaders().getFirst(HEADER);
        return key == null ? Mono.empty() : Mono.just(new PreAuthenticatedAuthenticationToken(null, key));
    }

    @Override
    public Mono<Authentication> authenticate(Authentication presented) {
        GatewayProperties.ApiKey key = byDigest.get(sha256((String) presented.getCredentials()));
        if (key == null) {
            return Mono.error(new BadCredentialsException("the " + HEADER + " is not a known key"));
        }
        return Mono.just(new PreAuthenticatedAuthenticationToken(key.name(), null, Stream.concat(
                key.roles().stream().map(role -> new SimpleGrantedAuthority("ROLE_" + role)),
                key.fleets().stream().map(fleet -> new SimpleGrantedAuthority(FleetScope.AUTHORITY_PREFIX + fleet))).toList()));
    }

    static String sha256(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
