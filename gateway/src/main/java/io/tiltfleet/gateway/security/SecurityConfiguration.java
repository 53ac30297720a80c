package io.tiltfleet.gateway.security;

import io.micrometer.core.instrument.MeterRegistry;
import io.tiltfleet.contract.Ids;
import io.tiltfleet.gateway.GatewayProperties;
import io.tiltfleet.gateway.ProblemResponses;
import io.tiltfleet.gateway.limits.RateLimitFilter;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.web.server.SecurityWebFiltersOrder;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;
import org.springframework.security.oauth2.server.resource.authentication.JwtGrantedAuthoritiesConverter;
import org.springframework.security.oauth2.server.resource.authentication.ReactiveJwtAuthenticationConverterAdapter;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.ServerAuthenticationEntryPoint;
import org.springframework.security.web.server.authentication.AuthenticationWebFilter;
import org.springframework.security.web.server.authentication.ServerAuthenticationEntryPointFailureHandler;
import org.springframework.security.web.server.authorization.ServerAccessDeniedHandler;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.security.web.server.firewall.ServerExchangeRejectedHandler;
import org.springframework.security.web.server.savedrequest.NoOpServerRequestCache;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.reactive.CorsConfigurationSource;
import org.springframework.web.cors.reactive.UrlBasedCorsConfigurationSource;


/**
 * Every {@code /api} call needs a credential: an API key (machines, and the dashboard of the local
 * run) or, where an identity provider is configured, a JWT for this API's audience
 * ({@code spring.security.oauth2.resourceserver.jwt.audiences}) whose {@code roles} claim names the roles
 * and whose {@code fleets} claim the fleets it may see ({@link FleetScope}). Reading is for every role; acknowledging alerts, editing safety profiles
 * and fleet settings and putting tables under maintenance is for operators; a fleet's audit trail is for operators and analysts;
 * exports are for analysts; a fleet's notification policy, read or replaced, for operators (it names the
 * receivers of its alerts). The dashboard's static files need none, nor do health and metrics, which
 * only the management port serves (these rules guard both ports), nor a notification's acknowledgement
 * link, whose signed token is its credential: the client address's budget counts those ({@code AddressRateLimit}). Each credential's requests are
 * counted ({@link RateLimitFilter}) before its roles and fleets are checked, so that refusals count too.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    private static final Pattern FLEET_AUTHORITY = Pattern.compile(Pattern.quote(FleetScope.AUTHORITY_PREFIX) + "(\\*|" + Ids.PATTERN + ")");

    @Bean
    ApiKeys apiKeys(GatewayProperties properties) {
        return new ApiKeys(properties.apiKeys());
    }

    @Bean
    SecurityWebFilterChain api(ServerHttpSecurity http, ApiKeys apiKeys, ObjectProvider<ReactiveJwtDecoder> jwtDecoder,
                               GatewayProperties properties, MeterRegistry registry) {
        ServerAuthenticationEntryPoint unauthenticated = (exchange, failure) -> {
            exchange.getResponse().getHeaders().add(HttpHeaders.WWW_AUTHENTICATE, "Bearer, ApiKey header=\"" + ApiKeys.HEADER + "\"");
            return ProblemResponses.write(exchange, HttpStatus.UNAUTHORIZED, failure.getMessage() == null || failure.getMessage().isBlank()
                    ? "a credential is needed: an " + ApiKeys.HEADER + " header or a bearer token"
                    : "the credential was refused: " + failure.getMessage());
        };
        ServerAccessDeniedHandler forbidden = (exchange, denied) -> exchange.getPrincipal()
                .map(principal -> principal.getName()).defaultIfEmpty("this credential")
                .flatMap(name -> ProblemResponses.write(exchange, HttpStatus.FORBIDDEN,
                        name + " may not " + exchange.getRequest().getMethod() + " " + exchange.getRequest().getPath()
                                + ": its roles do not allow it"));
        AuthenticationWebFilter apiKeyFilter = new AuthenticationWebFilter(apiKeys);
        apiKeyFilter.setServerAuthenticationConverter(apiKeys);
        apiKeyFilter.setAuthenticationFailureHandler(new ServerAuthenticationEntryPointFailureHandler(unauthenticated));
        // every request carries its credential: no session is made, stored or sent back as a cookie
        apiKeyFilter.setSecurityContextRepository(NoOpServerSecurityContextRepository.getInstance());

        http.securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
                .requestCache(cache -> cache.requestCache(NoOpServerRequestCache.getInstance()))
                .csrf(ServerHttpSecurity.CsrfSpec::disable)
                .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .logout(ServerHttpSecurity.LogoutSpec::disable)
                .cors(Customizer.withDefaults())
                .addFilterAt(apiKeyFilter, SecurityWebFiltersOrder.AUTHENTICATION)
                .addFilterBefore(new RateLimitFilter(properties, registry), SecurityWebFiltersOrder.AUTHORIZATION)
                .addFilterAfter(new FleetScope(), SecurityWebFiltersOrder.AUTHORIZATION)
                .exceptionHandling(handling -> handling.authenticationEntryPoint(unauthenticated).accessDeniedHandler(forbidden))
                .authorizeExchange(exchanges -> exchanges
                        .pathMatchers("/", "/index.html", "/dashboard.js", "/table-panel.js", "/session-trace.js", "/fleet-settings.js", "/dashboard.css", "/favicon.svg",
                                "/openapi.yaml").permitAll()
                        .pathMatchers("/actuator/health/**", "/actuator/prometheus", "/actuator/info").permitAll()
                        .matchers(NotificationPaths.acknowledgementLinks()).permitAll()
                        .matchers(NotificationPaths.policies()).hasRole(Roles.OPERATOR)
                        .matchers(NotificationPaths.deliveries()).hasRole(Roles.OPERATOR)
                        .pathMatchers(HttpMethod.POST, "/api/alerts/*/acknowledge").hasRole(Roles.OPERATOR)
                        .pathMatchers(HttpMethod.PUT, "/api/fleet/*/tables/*", "/api/fleet/*/tables/*/profile", "/api/fleet/*/tables/*/maintenance")
                        .hasRole(Roles.OPERATOR)
                        .pathMatchers(HttpMethod.DELETE, "/api/fleet/*/tables/*", "/api/fleet/*/tables/*/maintenance", "/api/fleet/*/tables/*/check-in")
                        .hasRole(Roles.OPERATOR)
                        .pathMatchers(HttpMethod.POST, "/api/fleet/*/tables/*/check-in").hasRole(Roles.OPERATOR)
                        .matchers(FleetConfigurationPaths.settingsChanges()).hasRole(Roles.OPERATOR)
                        .matchers(FleetConfigurationPaths.credentials()).hasRole(Roles.OPERATOR)
                        .matchers(FleetConfigurationPaths.fleetData()).hasRole(Roles.OPERATOR)
                        .matchers(FleetConfigurationPaths.auditReads()).hasAnyRole(Roles.OPERATOR, Roles.ANALYST)
                        .matchers(FleetConfigurationPaths.alertExports()).hasRole(Roles.ANALYST)
                        .matchers(FleetConfigurationPaths.alertChanges()).denyAll()
                        .pathMatchers(HttpMethod.GET, "/api/analytics/fleets/*/exports/**").hasRole(Roles.ANALYST)
                        .pathMatchers(HttpMethod.GET, "/api/**").hasAnyRole(Roles.VIEWER, Roles.OPERATOR, Roles.ANALYST)
                        .anyExchange().denyAll());
        if (jwtDecoder.getIfAvailable() != null) {
            JwtAuthenticationConverter converter = new JwtAuthenticationConverter();
            converter.setJwtGrantedAuthoritiesConverter(jwt -> Stream.concat(
                    claimAuthorities(jwt, "roles", "ROLE_").stream(), fleetAuthorities(jwt).stream()).toList());
            http.oauth2ResourceServer(server -> server.authenticationEntryPoint(unauthenticated)
                    .jwt(jwt -> jwt.jwtAuthenticationConverter(new ReactiveJwtAuthenticationConverterAdapter(converter))));
        }
        return http.build();
    }

    /**
     * A fleets claim value that is not a fleet id (or {@code *}) is ignored: the services read the fleets
     * as one comma-separated header, where {@code "fleet-1,*"} would turn into every fleet.
     */
    private static Collection<GrantedAuthority> fleetAuthorities(Jwt jwt) {
        return claimAuthorities(jwt, "fleets", FleetScope.AUTHORITY_PREFIX).stream()
                .filter(authority -> FLEET_AUTHORITY.matcher(authority.getAuthority()).matches()).toList();
    }

    private static Collection<GrantedAuthority> claimAuthorities(Jwt jwt, String claim, String prefix) {
        JwtGrantedAuthoritiesConverter authorities = new JwtGrantedAuthoritiesConverter();
        authorities.setAuthoritiesClaimName(claim);
        authorities.setAuthorityPrefix(prefix);
        return authorities.convert(jwt);
    }

    /** A request the firewall refuses (dot segments, encoded slashes, ...) gets a problem body saying so. */
    @Bean
    ServerExchangeRejectedHandler refusedRequests() {
        return (exchange, refused) -> ProblemResponses.write(exchange, HttpStatus.BAD_REQUEST, "the request was refused: " + refused.getMessage());
    }

    /** Browsers may call the API from the configured dashboard origins; the gateway's own page needs no CORS. */
    @Bean
    CorsConfigurationSource corsConfigurationSource(GatewayProperties properties) {
        CorsConfiguration cors = new CorsConfiguration();
        cors.setAllowedOrigins(properties.allowedOrigins());
        cors.setAllowedMethods(List.of("GET", "POST", "PUT", "DELETE"));
        cors.setAllowedHeaders(List.of(HttpHeaders.AUTHORIZATION, HttpHeaders.CONTENT_TYPE, ApiKeys.HEADER));
        cors.setExposedHeaders(List.of(HttpHeaders.RETRY_AFTER, HttpHeaders.CONTENT_DISPOSITION));
        cors.setMaxAge(3600L);
        UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
        source.registerCorsConfiguration("/api/**", cors);
        return source;
    }
}
