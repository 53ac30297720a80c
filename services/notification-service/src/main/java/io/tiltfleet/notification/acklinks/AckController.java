package io.tiltfleet.notification.acklinks;

import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.HtmlUtils;
import reactor.core.publisher.Mono;

/**
 * The ack link. A GET only shows the alert and a button: chat apps and mail scanners fetch links to preview them,
 * and that must acknowledge nothing. The button's POST acknowledges, once: the token is checked (signature, expiry),
 * its nonce stored as used, then the safety service called.
 */
@RestController
class AckController {

    private static final Logger log = LoggerFactory.getLogger(AckController.class);

    private final AckTokens tokens;
    private final UsedTokens used;
    private final SafetyClient safety;
    private final Clock clock;

    AckController(AckLinks links, UsedTokens used, SafetyClient safety, Clock clock) {
        this.tokens = links.tokens();
        this.used = used;
        this.safety = safety;
        this.clock = clock;
    }

    @GetMapping(AckLinks.PATH + "{token}")
    ResponseEntity<String> show(@PathVariable String token) {
        try {
            AckTokens.Claims claims = tokens.verify(token);
            return page(HttpStatus.OK, "Acknowledge alert " + claims.alertId(),
                    "<p>Alert <b>" + e(claims.alertId()) + "</b> of fleet <b>" + e(claims.fleetId()) + "</b>.</p>"
                            + "<form method=\"post\"><button type=\"submit\">Acknowledge as " + e(claims.recipient()) + "</button></form>");
        } catch (AckTokens.Refused refused) {
            return page(HttpStatus.BAD_REQUEST, "Link not valid", "<p>" + e(refused.getMessage()) + "</p>");
        }
    }

    @PostMapping(AckLinks.PATH + "{token}")
    Mono<ResponseEntity<String>> acknowledge(@PathVariable String token) {
        AckTokens.Claims claims;
        try {
            claims = tokens.verify(token);
        } catch (AckTokens.Refused refused) {
            return Mono.just(page(HttpStatus.BAD_REQUEST, "Link not valid", "<p>" + e(refused.getMessage()) + "</p>"));
        }
        return used.use(claims, clock.instant()).flatMap(first -> first ? call(claims)
                : Mono.just(page(HttpStatus.GONE, "Link used already", "<p>This link was used already; each link acknowledges once.</p>")));
    }

    private Mono<ResponseEntity<String>> call(AckTokens.Claims claims) {
        String alert = "<p>Alert <b>" + e(claims.alertId()) + "</b> of fleet <b>" + e(claims.fleetId()) + "</b>";
        return safety.acknowledge(claims).flatMap(status -> switch (status) {
            case 200 -> Mono.just(page(HttpStatus.OK, "Acknowledged", alert + " is acknowledged by " + e(claims.recipient()) + ".</p>"));
            case 409 -> Mono.just(page(HttpStatus.CONFLICT, "Acknowledged already", alert + " was acknowledged already.</p>"));
            case 404 -> Mono.just(page(HttpStatus.NOT_FOUND, "No such alert", alert + " is not known to the safety service.</p>"));
            default -> Mono.error(new IllegalStateException("the safety service answered " + status));
        }).onErrorResume(e -> {
            log.warn("Acknowledging alert {} from an ack link failed: {}", claims.alertId(), e.toString());
            return used.release(claims).thenReturn(page(HttpStatus.BAD_GATEWAY, "Not acknowledged",
                    alert + " could not be acknowledged just now; try the link again in a minute.</p>"));
        });
    }

    private static ResponseEntity<String> page(HttpStatus status, String title, String body) {
        String html = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>TiltFleet: " + e(title) + "</title></head>"
                + "<body><h1>" + e(title) + "</h1>" + body + "</body></html>";
        return ResponseEntity.status(status).contentType(MediaType.TEXT_HTML).header("Cache-Control", "no-store")
                .header("Referrer-Policy", "no-referrer").body(html);
    }

    private static String e(String text) {
        return HtmlUtils.htmlEscape(text);
    }
}
