package io.tiltfleet.gateway.security;

import java.util.List;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** Who the caller is, what its roles allow and which fleets it sees, so that a dashboard shows only what will work. */
@RestController
class CallerController {

    /** @param fleets the fleets it may see; {@code *} for every fleet */
    record Caller(String name, List<String> roles, List<String> fleets) {
    }

    @GetMapping("/api/me")
    Caller me(Authentication authentication) {
        return new Caller(authentication.getName(), authentication.getAuthorities().stream().map(GrantedAuthority::getAuthority)
                .filter(authority -> authority.startsWith("ROLE_")).map(authority -> authority.substring(5)).sorted().toList(),
                List.copyOf(FleetScope.fleetsOf(authentication)));
    }
}
