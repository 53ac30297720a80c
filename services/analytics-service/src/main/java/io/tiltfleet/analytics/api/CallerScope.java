package io.tiltfleet.analytics.api;

import io.tiltfleet.analytics.AnalyticsProperties;
import io.tiltfleet.contract.CallerHeaders;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.server.ResponseStatusException;

/**
 * Every API call must come through the gateway, which names the caller's fleets in a header, and may
 * only name a fleet among them: a second line behind the gateway's own check, should a request reach
 * the service around it or the two ever read a path differently. It runs before each handler of this
 * service with the fleet id the handler itself receives (already decoded and matched), so that no
 * spelling of a path can name one fleet here and another there; its refusals are problem bodies like
 * every other error.
 */
@ControllerAdvice(basePackages = "io.tiltfleet.analytics")
class CallerScope {

    private final boolean allowCallsWithoutCaller;

    CallerScope(AnalyticsProperties properties) {
        this.allowCallsWithoutCaller = properties.allowCallsWithoutCaller();
    }

    @ModelAttribute
    void check(@RequestHeader(name = CallerHeaders.FLEETS, required = false) String fleets,
               @PathVariable(name = "fleetId", required = false) String fleetId) {
        if (fleets == null) {
            if (!allowCallsWithoutCaller) {
                throw new ResponseStatusException(HttpStatus.UNAUTHORIZED,
                        "calls must come through the gateway: this request names no caller (" + CallerHeaders.FLEETS + ")");
            }
            return;
        }
        Set<String> allowed = Arrays.stream(fleets.split(",")).map(String::trim).filter(fleet -> !fleet.isEmpty())
                .collect(Collectors.toSet());
        if (fleetId != null && !allowed.contains(CallerHeaders.EVERY_FLEET) && !allowed.contains(fleetId)) {
            throw new ResponseStatusException(HttpStatus.FORBIDDEN, "the caller may not see fleet '" + fleetId + "'");
        }
    }
}
