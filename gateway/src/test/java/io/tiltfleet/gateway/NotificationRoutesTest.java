package io.tiltfleet.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiltfleet.embedded.RunningService;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The notification service's paths through the real gateway: a fleet's policy is for operators of that
 * fleet, the delivery list is scoped like the alert list, and an acknowledgement link needs no credential
 * yet never carries the gateway's caller headers, whatever the client sends. Every spelling of these paths
 * is refused or decided as the plain one is; each spelling case prints a line {@code ABUSE gateway ...}.
 */
class NotificationRoutesTest {

    /** What a client sends under the gateway's header names, hoping a service believes it. */
    static final Map<String, String> FORGED_CALLER = Map.of("X-TiltFleet-Caller", "mallory", "X-TiltFleet-Fleets", "*",
            "X-TiltFleet-Role", "operator");

    static StubServices services;
    static RunningService gateway;

    @BeforeAll
    static void start() {
        services = StubServices.start();
        gateway = services.gatewayInFront();
    }

    @AfterAll
    static void stop() {
        gateway.close();
        services.close();
    }

    @ParameterizedTest(name = "{1} {2} with {0} -> {3}")
    @CsvSource(delimiter = '|', value = {
            // key               | method | path                                          | status
            "                    | GET    | /api/fleets/fleet-1/notification-policies     | 401",
            "tf-viewer-local     | GET    | /api/fleets/fleet-1/notification-policies     | 403",   // it names the receivers
            "tf-viewer-local     | PUT    | /api/fleets/fleet-1/notification-policies     | 403",
            "tf-analyst-local    | GET    | /api/fleets/fleet-1/notification-policies     | 403",
            "tf-analyst-local    | PUT    | /api/fleets/fleet-1/notification-policies     | 403",
            "tf-operator-local   | GET    | /api/fleets/fleet-1/notification-policies     | 200",
            "tf-operator-local   | PUT    | /api/fleets/fleet-1/notification-policies     | 200",
            "tf-supervisor-local | PUT    | /api/fleets/fleet-1/notification-policies     | 200",
            "tf-operator-local   | DELETE | /api/fleets/fleet-1/notification-policies     | 403",   // no such operation
            "tf-operator-local   | POST   | /api/fleets/fleet-1/notification-policies     | 403",
            "                    | GET    | /api/notifications?fleetId=fleet-1            | 401",
            "tf-viewer-local     | GET    | /api/notifications?fleetId=fleet-1            | 403",   // it names the receivers too
            "tf-analyst-local    | GET    | /api/notifications?alertId=a-1&outcome=FAILED_FOR_GOOD | 403",
            "tf-operator-local   | GET    | /api/notifications?alertId=a-1&outcome=FAILED_FOR_GOOD | 200",
            "tf-viewer-local     | POST   | /api/notifications                            | 403"})
    void policiesAndDeliveriesAreForOperators(String key, String method, String path, int status) throws Exception {
        HttpResponse<String> response = GatewayTest.send(gateway.port(), method, path, key == null ? Map.of() : Map.of("X-API-Key", key));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        if (status == 200) {
            assertThat(response.body()).contains("\"service\":\"notification\"", "\"path\":\"" + path + "\"", "\"credentialForwarded\":false");
        } else {
            assertThat(response.body()).contains("\"status\":" + status).doesNotContain("\"service\"");
        }
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            // method | path                                                   | status | fleets the service is told
            "GET  | /api/fleets/fleet-1/notification-policies                  | 200    | fleet-1",
            "PUT  | /api/fleets/fleet-1/notification-policies                  | 200    | fleet-1",
            "GET  | /api/fleets/fleet-2/notification-policies                  | 403    | ",
            "PUT  | /api/fleets/fleet-2/notification-policies                  | 403    | ",
            "GET  | /api/notifications                                         | 403    | ",   // limited to some fleets: must name one
            "GET  | /api/notifications?alertId=a-1                             | 403    | ",
            "GET  | /api/notifications?fleetId=fleet-2                         | 403    | ",
            "GET  | /api/notifications?fleetId=fleet-1&fleetId=fleet-2         | 403    | ",
            "GET  | /api/notifications?FleetId=fleet-1                         | 403    | ",   // the service would see no filter
            "GET  | /api/notifications?fleetId=fleet-1&outcome=FAILED_FOR_GOOD | 200    | fleet-1"})
    void aCredentialLimitedToAFleetSeesOnlyItsPolicyAndDeliveries(String method, String path, int status, String fleets) throws Exception {
        Map<String, String> headers = new HashMap<>(FORGED_CALLER);
        headers.put("X-API-Key", "tf-clinic1-local");
        HttpResponse<String> response = GatewayTest.send(gateway.port(), method, path, headers);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        if (status == 200) {
            assertThat(response.body()).contains("\"fleets\":\"" + fleets + "\"", "\"caller\":\"carl\"").doesNotContain("mallory");
        } else {
            assertThat(response.body()).contains("\"status\":403", "carl may ").doesNotContain("\"service\"");
        }
    }

    @ParameterizedTest(name = "{0} with key {1}")
    @CsvSource(delimiter = '|', value = {
            // method | key
            "GET      | ",
            "POST     | ",
            "GET      | tf-supervisor-local",   // a credential sent along changes nothing: the token says who acknowledges
            "POST     | tf-viewer-local"})
    void anAcknowledgementLinkNeedsNoCredentialAndCarriesNoCallerHeaders(String method, String key) throws Exception {
        Map<String, String> headers = new HashMap<>(FORGED_CALLER);
        if (key != null) {
            headers.put("X-API-Key", key);
        }
        HttpResponse<String> response = GatewayTest.send(gateway.port(), method, "/api/notifications/ack/tok.en-1_x", headers);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).contains("\"service\":\"notification\"", "\"method\":\"" + method + "\"",
                "\"path\":\"/api/notifications/ack/tok.en-1_x\"", "\"credentialForwarded\":false", "\"gatewayHeaders\":\"\"");
    }

    @Test
    void otherMethodsOnAnAcknowledgementLinkNeedACredential() throws Exception {
        assertThat(GatewayTest.send(gateway.port(), "PUT", "/api/notifications/ack/token-1", Map.of()).statusCode()).isEqualTo(401);
        assertThat(GatewayTest.send(gateway.port(), "DELETE", "/api/notifications/ack/token-1", Map.of("X-API-Key", "tf-operator-local"))
                .statusCode()).isEqualTo(403);
    }

    /**
     * Other spellings of the paths: a percent sign, a double slash, dot segments or a matrix parameter are
     * refused (400) before any check; another letter case or a trailing slash is decided as the plain path
     * is, so it never gets a viewer to a policy or the deliveries, another fleet's data to carl, or caller headers to an
     * acknowledgement link, and once allowed it matches no route (404: the routes take neither). Whatever
     * reaches a stand-in reports its caller headers, which must be the gateway's.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            // case                                         | key              | method | path                                              | status
            "viewer: policy with a trailing slash           | tf-viewer-local  | GET | /api/fleets/fleet-1/notification-policies/            | 403",
            "viewer: policy in capitals                     | tf-viewer-local  | GET | /API/FLEETS/fleet-1/NOTIFICATION-POLICIES            | 403",
            "viewer: policy in mixed case                   | tf-viewer-local  | GET | /api/Fleets/fleet-1/Notification-Policies            | 403",
            "viewer: policy below the policy                | tf-viewer-local  | GET | /api/fleets/fleet-1/notification-policies/x          | 403",
            "viewer: encoded letter in the policy word      | tf-viewer-local  | GET | /api/fleets/fleet-1/%6Eotification-policies          | 400",
            "fleet-1 key: fleet-2 policy, trailing slash    | tf-clinic1-local | PUT | /api/fleets/fleet-2/notification-policies/           | 403",
            "fleet-1 key: fleet-2 policy in mixed case      | tf-clinic1-local | GET | /api/Fleets/fleet-2/notification-policies            | 403",
            "fleet-1 key: fleet id in capitals              | tf-clinic1-local | GET | /api/fleets/FLEET-2/notification-policies            | 403",
            "fleet-1 key: encoded letter in /api/fleets     | tf-clinic1-local | GET | /api/%66leets/fleet-2/notification-policies          | 400",
            "fleet-1 key: encoded dash in the fleet id      | tf-clinic1-local | PUT | /api/fleets/fleet%2D2/notification-policies          | 400",
            "fleet-1 key: double slash before the policy    | tf-clinic1-local | GET | /api//fleets/fleet-2/notification-policies           | 400",
            "fleet-1 key: dot segments into fleet-2         | tf-clinic1-local | GET | /api/fleets/fleet-1/../fleet-2/notification-policies | 400",
            "fleet-1 key: matrix parameter on /api/fleets   | tf-clinic1-local | GET | /api/fleets;x=1/fleet-2/notification-policies        | 400",
            "fleet-1 key: deliveries, trailing slash        | tf-clinic1-local | GET | /api/notifications/?fleetId=fleet-2                  | 403",
            "fleet-1 key: own deliveries in capitals        | tf-clinic1-local | GET | /API/NOTIFICATIONS?fleetId=fleet-1                   | 404",
            "fleet-1 key: deliveries in mixed case          | tf-clinic1-local | GET | /api/Notifications                                   | 403",
            "fleet-1 key: encoded letter in the deliveries  | tf-clinic1-local | GET | /api/%6Eotifications                                 | 400",
            "fleet-1 key: matrix parameter on deliveries    | tf-clinic1-local | GET | /api/notifications;fleetId=fleet-1                   | 400",
            "no key: ack link with a trailing slash         |                  | GET | /api/notifications/ack/token-1/                      | 404",
            "no key: ack link in capitals                   |                  | GET | /API/NOTIFICATIONS/ACK/token-1                       | 404",
            "no key: ack link, encoded token                |                  | GET | /api/notifications/ack/%74oken-1                     | 400",
            "no key: ack link, double slash                 |                  | GET | /api/notifications//ack/token-1                      | 400",
            "no key: ack link, dot segments to a fleet      |                  | GET | /api/notifications/ack/../../fleet/fleet-2/tables    | 400",
            "no key: ack link, matrix parameter             |                  | POST | /api/notifications/ack/token-1;x=1                  | 400",
            "no key: ack link with a segment after it       |                  | GET | /api/notifications/ack/token-1/confirm               | 401",
            "no key: ack link without a token               |                  | GET | /api/notifications/ack/                              | 401",
            "viewer: ack link with a trailing slash         | tf-viewer-local  | POST | /api/notifications/ack/token-1/                     | 404",
            "operator: policy with a trailing slash         | tf-operator-local | PUT | /api/fleets/fleet-1/notification-policies/           | 404",
            "operator: policy in mixed case                 | tf-operator-local | GET | /api/Fleets/fleet-1/Notification-Policies            | 404",
            "viewer: deliveries, trailing slash             | tf-viewer-local  | GET | /api/notifications/?fleetId=fleet-1                  | 403",
            "viewer: deliveries in capitals                 | tf-viewer-local  | GET | /API/NOTIFICATIONS?fleetId=fleet-1                   | 403",
            "every fleet: deliveries, trailing slash        | tf-operator-local | GET | /api/notifications/?fleetId=fleet-1                 | 404"})
    void everySpellingIsRefusedOrDecidedAsThePlainPath(String name, String key, String method, String path, int status) throws Exception {
        Map<String, String> headers = new HashMap<>(FORGED_CALLER);
        if (key != null) {
            headers.put("X-API-Key", key);
        }
        HttpResponse<String> response = GatewayTest.send(gateway.port(), method, path, headers);
        System.out.printf("ABUSE gateway %-64s -> %d%n", name, response.statusCode());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        if (response.body().contains("\"service\"")) {
            assertThat(response.body()).as("what reached a service").doesNotContain("mallory").contains("\"credentialForwarded\":false");
            if (path.toLowerCase(Locale.ROOT).contains("/ack/")) {
                assertThat(response.body()).contains("\"gatewayHeaders\":\"\"");
            }
        }
    }
}
