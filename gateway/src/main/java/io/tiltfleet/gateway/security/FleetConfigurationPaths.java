package io.tiltfleet.gateway.security;

import java.util.regex.Pattern;
import org.springframework.http.HttpMethod;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatcher;

/**
 * A fleet's settings, audit trail, alert exports, whole data and tables' credentials as the gateway's checks see them, matched as {@link NotificationPaths} are:
 * on the path as sent, the fixed words in any letter case, with or without anything after them, so that no
 * spelling a route or the safety service might still accept gets past the role a plain one needs.
 */
final class FleetConfigurationPaths {

    private static final Pattern SETTINGS = Pattern.compile("^/(?i:api/fleets)/[^/]*/(?i:settings)(/.*)?$");
    /** Who changed what and why, under the names of the staff: operators, who make the changes, and analysts, who review them. */
    private static final Pattern AUDIT = Pattern.compile("^/(?i:api/fleets)/[^/]*/(?i:audit)(/.*)?$");

    /** A fleet's alerts as a file, with who acknowledged each and how soon: for analysts, as the analytics' exports are. */
    private static final Pattern ALERT_EXPORTS = Pattern.compile("^/(?i:api/fleets)/[^/]*/(?i:alerts)(/.*)?$");

    /** Everything a service keeps of a fleet, exported whole or removed ("delete my data"): the operators' alone. */
    private static final Pattern FLEET_DATA = Pattern.compile("^/(?i:api/fleets|api/analytics/fleets)/[^/]*/(?i:data|notification-data)(/.*)?$");

    /** A table's broker account: its standing and its passwords are the operators' alone. */
    private static final Pattern CREDENTIALS = Pattern.compile("^/(?i:api/fleet)/[^/]*/(?i:tables)/[^/]*/(?i:credentials)(/.*)?$");

    private FleetConfigurationPaths() {
    }

    /** Reading, issuing and revoking a table's credentials, in any method: only operators, in any spelling. */
    static ServerWebExchangeMatcher credentials() {
        return NotificationPaths.matching(CREDENTIALS, HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE,
                HttpMethod.PATCH, HttpMethod.OPTIONS);
    }

    /** Replacing a fleet's settings: reading them is for every role, as the tables' profiles are. */
    static ServerWebExchangeMatcher settingsChanges() {
        return NotificationPaths.matching(SETTINGS, HttpMethod.PUT);
    }

    /** Exporting the alerts, in any spelling: analysts only. */
    static ServerWebExchangeMatcher alertExports() {
        return NotificationPaths.matching(ALERT_EXPORTS, HttpMethod.GET, HttpMethod.HEAD);
    }

    /** Anything else under a fleet's alerts: nobody, so that a route added there later is not open to analysts by this one. */
    static ServerWebExchangeMatcher alertChanges() {
        return NotificationPaths.matching(ALERT_EXPORTS, HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.PATCH, HttpMethod.OPTIONS);
    }

    /** Exporting or removing a fleet's data, in the safety service, the analytics or the notification service, in any spelling: operators only. */
    static ServerWebExchangeMatcher fleetData() {
        return NotificationPaths.matching(FLEET_DATA, HttpMethod.GET, HttpMethod.DELETE);
    }

    /** Reading or exporting the audit trail; nothing else may be done to it. */
    static ServerWebExchangeMatcher auditReads() {
        return NotificationPaths.matching(AUDIT, HttpMethod.GET);
    }
}
