package io.tiltfleet.gateway.security;

import java.util.Set;
import java.util.regex.Pattern;
import org.springframework.http.HttpMethod;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatcher;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatcher.MatchResult;

/**
 * The notification service's paths as the gateway's checks see them: the roles, the fleet scope and the
 * client address's budget all ask here, so that they agree on which request is which. Matched on the path
 * as sent, which PlainPaths and the firewall keep equal to the decoded path the routes match; the fixed
 * words in any letter case, with or without a trailing slash, so that no spelling a route or the service
 * might still accept slips past a check.
 */
public final class NotificationPaths {

    /** A fleet's notification policy: its receivers and their secrets, so for operators only, as the policy's edits are. */
    private static final Pattern POLICY = Pattern.compile("^/(?i:api/fleets)/[^/]*/(?i:notification-policies)(/.*)?$");
    /**
     * The delivery attempts: their channel ids and receiver hosts say who is notified, which only operators see
     * (SECURITY.md), so operators only, as the policies are.
     */
    private static final Pattern DELIVERIES = Pattern.compile("^/(?i:api/notifications)/?$");
    /** A link from a notification: the signed token in its last segment is the credential, so none other is asked for. */
    private static final Pattern ACKNOWLEDGEMENT_LINK = Pattern.compile("^/(?i:api/notifications/ack)/[^/]+/?$");

    private NotificationPaths() {
    }

    /** An acknowledgement link, whatever the method. */
    public static boolean isAcknowledgementLink(String path) {
        return ACKNOWLEDGEMENT_LINK.matcher(path).matches();
    }

    /** An acknowledgement link as a browser opens it (GET: a page that asks to confirm) or confirms it (POST). */
    static ServerWebExchangeMatcher acknowledgementLinks() {
        return matching(ACKNOWLEDGEMENT_LINK, HttpMethod.GET, HttpMethod.POST);
    }

    /** Reading or replacing a fleet's policy. */
    static ServerWebExchangeMatcher policies() {
        return matching(POLICY, HttpMethod.GET, HttpMethod.PUT);
    }

    /** Listing the delivery attempts. */
    static ServerWebExchangeMatcher deliveries() {
        return matching(DELIVERIES, HttpMethod.GET);
    }

    /** A request of one of these methods whose path, as sent, matches. */
    static ServerWebExchangeMatcher matching(Pattern path, HttpMethod... methods) {
        Set<HttpMethod> allowed = Set.of(methods);
        return exchange -> allowed.contains(exchange.getRequest().getMethod()) && path.matcher(exchange.getRequest().getPath().value()).matches()
                ? MatchResult.match() : MatchResult.notMatch();
    }
}
