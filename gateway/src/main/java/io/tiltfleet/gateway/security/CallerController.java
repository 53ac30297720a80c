package io.tiltfleet.gateway.security;

import java.util.List;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** Who the caller is and what its roles allow, so that a dashboard shows only the buttons that will work. */
@RestController
class CallerController {

    record Caller(String name, List<String> roles) {
    }

    @GetMapping("/api/me")
    Caller me(Authentication authentication) {
        return new Caller(authentication.getName(), authentication.getAuthorities().stream().map(GrantedAuthority::getAuthority)
                .filter(authority -> authority.startsWith("ROLE_")).map(authority -> authority.substring(5)).sorted().toList());
    }
}
