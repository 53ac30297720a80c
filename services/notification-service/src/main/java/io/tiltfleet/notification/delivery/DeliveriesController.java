package io.tiltfleet.notification.delivery;

import io.tiltfleet.contract.CallerHeaders;
import io.tiltfleet.contract.NotificationDelivery;
import io.tiltfleet.notification.api.Caller;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import org.springframework.http.HttpStatus;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Flux;

/** Delivery attempts, newest first: who was told what about which alert, and how it went. */
@Validated
@RestController
class DeliveriesController {

    private final DeliveryRecorder deliveries;

    DeliveriesController(DeliveryRecorder deliveries) {
        this.deliveries = deliveries;
    }

    @GetMapping("/api/notifications")
    Flux<NotificationDelivery> search(@RequestParam(required = false) @Pattern(regexp = "[A-Za-z0-9_-]{1,64}") String fleetId,
                                      @RequestParam(required = false) @Pattern(regexp = "[A-Za-z0-9-]{1,64}") String alertId,
                                      @RequestParam(required = false) @Pattern(regexp = "DELIVERED|RETRYING|FAILED_FOR_GOOD|REFUSED") String outcome,
                                      @RequestParam(defaultValue = "500") @Min(1) @Max(500) int limit,
                                      @RequestHeader(name = CallerHeaders.FLEETS, required = false) String fleets) {
        Caller caller = Caller.of(fleets);
        if (caller.limited() && (fleetId == null || !caller.maySee(fleetId))) {
            throw new ResponseStatusException(HttpStatus.FORBIDDEN, "the caller may list deliveries of its fleets only: fleetId="
                    + String.join(" or fleetId=", caller.fleets()));
        }
        return deliveries.search(fleetId, alertId, outcome, limit);
    }
}
