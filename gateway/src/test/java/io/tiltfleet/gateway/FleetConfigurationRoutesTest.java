package io.tiltfleet.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiltfleet.embedded.RunningService;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A fleet's settings, its tables' maintenance and check-ins and its audit trail through the real gateway: every role reads the
 * settings and the maintenance, operators change them, operators and analysts read the trail and nobody changes it, each credential within its
 * fleets; every other spelling of these paths is refused or decided as the plain one is (lines
 * {@code ABUSE gateway ...}).
 */
class FleetConfigurationRoutesTest {

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
            // key               | method | path                                        | status
            "                    | GET    | /api/fleets/fleet-1/settings                | 401",
            "tf-viewer-local     | GET    | /api/fleets/fleet-1/settings                | 200",
            "tf-analyst-local    | GET    | /api/fleets/fleet-1/settings                | 200",
            "tf-viewer-local     | PUT    | /api/fleets/fleet-1/settings                | 403",
            "tf-analyst-local    | PUT    | /api/fleets/fleet-1/settings                | 403",
            "tf-operator-local   | PUT    | /api/fleets/fleet-1/settings                | 200",
            "tf-operator-local   | DELETE | /api/fleets/fleet-1/settings                | 403",
            "tf-operator-local   | POST   | /api/fleets/fleet-1/settings                | 403",
            "tf-viewer-local     | GET    | /api/fleets/fleet-1/audit                   | 403",   // who changed what, patients' flags included
            "tf-viewer-local     | GET    | /api/fleets/fleet-1/audit/export?format=csv | 403",
            "tf-operator-local   | GET    | /api/fleets/fleet-1/audit                   | 200",
            "tf-analyst-local    | GET    | /api/fleets/fleet-1/audit/export?format=csv | 200",
            "tf-supervisor-local | GET    | /api/fleets/fleet-1/audit?what=profile      | 200",
            "tf-supervisor-local | DELETE | /api/fleets/fleet-1/audit                   | 403",   // nobody changes the trail
            "tf-supervisor-local | PUT    | /api/fleets/fleet-1/audit/e-1               | 403",
            "tf-supervisor-local | POST   | /api/fleets/fleet-1/audit                   | 403",
            "tf-operator-local   | GET    | /api/fleets/fleet-1/other                   | 404",
            "tf-viewer-local     | GET    | /api/fleet/fleet-1/maintenance              | 200",
            "tf-viewer-local     | PUT    | /api/fleet/fleet-1/tables/t-1/maintenance   | 403",
            "tf-analyst-local    | PUT    | /api/fleet/fleet-1/tables/t-1/maintenance   | 403",
            "tf-operator-local   | PUT    | /api/fleet/fleet-1/tables/t-1/maintenance   | 200",
            "tf-viewer-local     | DELETE | /api/fleet/fleet-1/tables/t-1/maintenance   | 403",
            "tf-operator-local   | DELETE | /api/fleet/fleet-1/tables/t-1/maintenance   | 200",
            "tf-operator-local   | DELETE | /api/fleet/fleet-1/tables/t-1/profile       | 403",
            "tf-viewer-local     | GET    | /api/fleet/fleet-1/tables/t-1/check-in      | 200",
            "tf-viewer-local     | POST   | /api/fleet/fleet-1/tables/t-1/check-in      | 403",
            "tf-analyst-local    | POST   | /api/fleet/fleet-1/tables/t-1/check-in      | 403",
            "tf-operator-local   | POST   | /api/fleet/fleet-1/tables/t-1/check-in      | 200",
            "tf-viewer-local     | DELETE | /api/fleet/fleet-1/tables/t-1/check-in      | 403",
            "tf-operator-local   | DELETE | /api/fleet/fleet-1/tables/t-1/check-in      | 200",
            "tf-operator-local   | PUT    | /api/fleet/fleet-1/tables/t-1/check-in      | 403",
            "tf-viewer-local     | GET    | /api/fleet/fleet-1/tables?site=Berlin       | 200",
            "tf-viewer-local     | GET    | /api/fleet/fleet-1/tables/t-1               | 200",
            "tf-viewer-local     | PUT    | /api/fleet/fleet-1/tables/t-1               | 403",
            "tf-analyst-local    | PUT    | /api/fleet/fleet-1/tables/t-1               | 403",
            "tf-operator-local   | PUT    | /api/fleet/fleet-1/tables/t-1               | 200",
            "tf-analyst-local    | DELETE | /api/fleet/fleet-1/tables/t-1               | 403",
            "tf-operator-local   | DELETE | /api/fleet/fleet-1/tables/t-1               | 200",
            "tf-operator-local   | POST   | /api/fleet/fleet-1/tables/t-1               | 403",
            "tf-viewer-local     | GET    | /api/fleet/fleet-1/tables/t-1/credentials   | 403",
            "tf-analyst-local    | GET    | /api/fleet/fleet-1/tables/t-1/credentials   | 403",
            "tf-viewer-local     | POST   | /api/fleet/fleet-1/tables/t-1/credentials   | 403",
            "tf-analyst-local    | DELETE | /api/fleet/fleet-1/tables/t-1/credentials   | 403",
            "tf-operator-local   | GET    | /api/fleet/fleet-1/tables/t-1/credentials   | 200",
            "tf-operator-local   | POST   | /api/fleet/fleet-1/tables/t-1/credentials   | 200",
            "tf-operator-local   | DELETE | /api/fleet/fleet-1/tables/t-1/credentials   | 200",
            "tf-analyst-local    | GET    | /api/fleets/fleet-1/alerts/export?format=CSV | 200",
            "tf-viewer-local     | GET    | /api/fleets/fleet-1/alerts/export           | 403",
            "tf-operator-local   | GET    | /api/fleets/fleet-1/alerts/export           | 403",
            "tf-supervisor-local | GET    | /api/fleets/fleet-1/alerts/export           | 200",   // every role
            "tf-analyst-local    | DELETE | /api/fleets/fleet-1/alerts/export           | 403",
            "tf-viewer-local     | GET    | /api/fleets/fleet-1/data                    | 403",   // a fleet's whole data: operators only
            "tf-analyst-local    | GET    | /api/fleets/fleet-1/data                    | 403",
            "tf-analyst-local    | DELETE | /api/fleets/fleet-1/data                    | 403",
            "tf-operator-local   | GET    | /api/fleets/fleet-1/data                    | 200",
            "tf-operator-local   | DELETE | /api/fleets/fleet-1/data                    | 200",
            "tf-operator-local   | POST   | /api/fleets/fleet-1/data                    | 403",
            "tf-operator-local   | PUT    | /api/fleets/fleet-1/data                    | 403",
            "tf-operator-local   | PATCH  | /api/analytics/fleets/fleet-1/data          | 403",
            "tf-viewer-local     | GET    | /api/analytics/fleets/fleet-1/data          | 403",
            "tf-analyst-local    | DELETE | /api/analytics/fleets/fleet-1/data          | 403",
            "tf-operator-local   | GET    | /api/analytics/fleets/fleet-1/data          | 200",
            "tf-operator-local   | DELETE | /api/analytics/fleets/fleet-1/data          | 200",
            "tf-viewer-local     | GET    | /api/fleets/fleet-1/notification-data       | 403",
            "tf-analyst-local    | DELETE | /api/fleets/fleet-1/notification-data       | 403",
            "tf-operator-local   | PUT    | /api/fleets/fleet-1/notification-data       | 403",
            "tf-operator-local   | GET    | /api/fleets/fleet-1/notification-data       | 200",
            "tf-operator-local   | DELETE | /api/fleets/fleet-1/notification-data       | 200"})
    void everyRoleReadsTheSettingsOperatorsChangeThemAndTheTrailIsOnlyRead(String key, String method, String path, int status) throws Exception {
        HttpResponse<String> response = GatewayTest.send(gateway.port(), method, path, key == null ? Map.of() : Map.of("X-API-Key", key));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        if (status == 200) {
            String service = path.startsWith("/api/analytics/") ? "analytics" : path.endsWith("/notification-data") ? "notification" : "safety";
            assertThat(response.body()).contains("\"service\":\"" + service + "\"", "\"path\":\"" + path + "\"",
                    "\"credentialForwarded\":false");
        } else {
            assertThat(response.body()).contains("\"status\":" + status).doesNotContain("\"service\"");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            // case                                        | key              | method | path                                        | status
            "fleet-1 key: own settings                     | tf-clinic1-local | PUT | /api/fleets/fleet-1/settings                   | 200",
            "fleet-1 key: own audit                        | tf-clinic1-local | GET | /api/fleets/fleet-1/audit                      | 200",
            "fleet-1 key: fleet-2 settings                 | tf-clinic1-local | PUT | /api/fleets/fleet-2/settings                   | 403",
            "fleet-1 key: fleet-2 audit export             | tf-clinic1-local | GET | /api/fleets/fleet-2/audit/export               | 403",
            "fleet-1 key: fleet-2 settings in capitals     | tf-clinic1-local | GET | /API/FLEETS/fleet-2/SETTINGS                   | 403",
            "fleet-1 key: fleet id in capitals             | tf-clinic1-local | PUT | /api/fleets/FLEET-2/settings                   | 403",
            "fleet-1 key: encoded letter in the fleet id   | tf-clinic1-local | PUT | /api/fleets/%66leet-2/settings                 | 400",
            "fleet-1 key: encoded slash in the fleet id    | tf-clinic1-local | PUT | /api/fleets/fleet-1%2F..%2Ffleet-2/settings    | 400",
            "fleet-1 key: dot segments into fleet-2        | tf-clinic1-local | GET | /api/fleets/fleet-1/../fleet-2/audit           | 400",
            "fleet-1 key: double slash before the fleet    | tf-clinic1-local | PUT | /api/fleets//fleet-2/settings                  | 400",
            "fleet-1 key: matrix parameter on the settings | tf-clinic1-local | PUT | /api/fleets/fleet-2;x=1/settings               | 400",
            "viewer: settings with a trailing slash        | tf-viewer-local  | PUT | /api/fleets/fleet-1/settings/                  | 403",
            "viewer: settings in mixed case                | tf-viewer-local  | PUT | /api/Fleets/fleet-1/Settings                   | 403",
            "viewer: below the settings                    | tf-viewer-local  | PUT | /api/fleets/fleet-1/settings/x                 | 403",
            "viewer: audit with a trailing slash           | tf-viewer-local  | GET | /api/fleets/fleet-1/audit/                     | 403",
            "viewer: audit in capitals                     | tf-viewer-local  | GET | /API/FLEETS/fleet-1/AUDIT                      | 403",
            "viewer: audit export in mixed case            | tf-viewer-local  | GET | /api/fleets/fleet-1/Audit/Export               | 403",
            "viewer: encoded letter in the audit word      | tf-viewer-local  | GET | /api/fleets/fleet-1/%61udit                    | 400",
            "operator: settings with a trailing slash      | tf-operator-local | PUT | /api/fleets/fleet-1/settings/                 | 404",
            "operator: settings in mixed case              | tf-operator-local | PUT | /api/Fleets/fleet-1/Settings                  | 404",
            "analyst: audit in capitals                    | tf-analyst-local | GET | /API/FLEETS/fleet-1/AUDIT                      | 404",
            "viewer: maintenance with a trailing slash     | tf-viewer-local  | PUT | /api/fleet/fleet-1/tables/t-1/maintenance/     | 403",
            "viewer: maintenance in capitals               | tf-viewer-local  | PUT | /API/FLEET/fleet-1/TABLES/t-1/MAINTENANCE      | 403",
            "fleet-1 key: fleet-2 maintenance              | tf-clinic1-local | PUT | /api/fleet/fleet-2/tables/t-1/maintenance      | 403",
            "fleet-1 key: fleet-2 maintenance, mixed case  | tf-clinic1-local | PUT | /api/Fleet/fleet-2/tables/t-1/maintenance      | 403",
            "viewer: ending maintenance, trailing slash     | tf-viewer-local  | DELETE | /api/fleet/fleet-1/tables/t-1/maintenance/  | 403",
            "viewer: ending maintenance in capitals         | tf-viewer-local  | DELETE | /API/FLEET/fleet-1/TABLES/t-1/MAINTENANCE   | 403",
            "fleet-1 key: ending fleet-2's maintenance      | tf-clinic1-local | DELETE | /api/fleet/fleet-2/tables/t-1/maintenance   | 403",
            "viewer: check-in with a trailing slash        | tf-viewer-local  | POST | /api/fleet/fleet-1/tables/t-1/check-in/      | 403",
            "viewer: check-in in capitals                  | tf-viewer-local  | POST | /API/FLEET/fleet-1/TABLES/t-1/CHECK-IN       | 403",
            "operator: check-in in capitals                | tf-operator-local | POST | /api/fleet/fleet-1/tables/t-1/Check-In      | 403",
            "fleet-1 key: check-in on fleet-2              | tf-clinic1-local | POST | /api/fleet/fleet-2/tables/t-1/check-in       | 403",
            "fleet-1 key: check-in on fleet-2, mixed case  | tf-clinic1-local | POST | /api/Fleet/fleet-2/tables/t-1/check-in       | 403",
            "fleet-1 key: check-in, encoded fleet id       | tf-clinic1-local | POST | /api/fleet/%66leet-2/tables/t-1/check-in     | 400",
            "fleet-1 key: check-in, dot segments           | tf-clinic1-local | POST | /api/fleet/fleet-1/../fleet-2/tables/t-1/check-in | 400",
            "viewer: withdrawing a check-in in capitals    | tf-viewer-local  | DELETE | /API/FLEET/fleet-1/TABLES/t-1/CHECK-IN     | 403",
            "fleet-1 key: own check-in                     | tf-clinic1-local | POST | /api/fleet/fleet-1/tables/t-1/check-in       | 200",
            "viewer: registry entry with a trailing slash  | tf-viewer-local  | PUT | /api/fleet/fleet-1/tables/t-1/                 | 403",
            "viewer: registry entry in capitals            | tf-viewer-local  | PUT | /API/FLEET/fleet-1/TABLES/t-1                  | 403",
            "operator: registry entry in capitals          | tf-operator-local | PUT | /api/fleet/fleet-1/Tables/t-1                 | 403",
            "fleet-1 key: fleet-2 registry entry           | tf-clinic1-local | PUT | /api/fleet/fleet-2/tables/t-1                  | 403",
            "fleet-1 key: fleet-2 registry, mixed case     | tf-clinic1-local | GET | /api/Fleet/fleet-2/tables/t-1                  | 403",
            "fleet-1 key: fleet-2 registry list            | tf-clinic1-local | GET | /api/fleet/fleet-2/tables?site=Berlin          | 403",
            "fleet-1 key: registry, encoded table id       | tf-clinic1-local | PUT | /api/fleet/fleet-2/tables/t%2D1               | 400",
            "fleet-1 key: registry, dot segments           | tf-clinic1-local | DELETE | /api/fleet/fleet-1/tables/../../fleet-2/tables/t-1 | 400",
            "viewer: removing a registry entry in capitals | tf-viewer-local  | DELETE | /API/FLEET/fleet-1/TABLES/t-1               | 403",
            "fleet-1 key: own registry entry               | tf-clinic1-local | PUT | /api/fleet/fleet-1/tables/t-1                  | 200",
            "viewer: credentials in capitals               | tf-viewer-local  | GET | /API/FLEET/fleet-1/TABLES/t-1/CREDENTIALS      | 403",
            "viewer: credentials with a trailing slash     | tf-viewer-local  | GET | /api/fleet/fleet-1/tables/t-1/credentials/     | 403",
            "viewer: below the credentials                 | tf-viewer-local  | GET | /api/fleet/fleet-1/tables/t-1/credentials/x    | 403",
            "analyst: credentials in mixed case            | tf-analyst-local | POST | /api/Fleet/fleet-1/Tables/t-1/Credentials     | 403",
            "fleet-1 key: fleet-2 credentials              | tf-clinic1-local | POST | /api/fleet/fleet-2/tables/t-1/credentials     | 403",
            "fleet-1 key: fleet-2 credentials, mixed case  | tf-clinic1-local | GET | /api/FLEET/fleet-2/tables/t-1/credentials      | 403",
            "fleet-1 key: credentials, encoded word        | tf-clinic1-local | POST | /api/fleet/fleet-2/tables/t-1/%63redentials   | 400",
            "fleet-1 key: own credentials                  | tf-clinic1-local | POST | /api/fleet/fleet-1/tables/t-1/credentials     | 200",
            "viewer: alert export in capitals              | tf-viewer-local  | GET | /API/FLEETS/fleet-1/ALERTS/EXPORT              | 403",
            "viewer: alert export with a trailing slash    | tf-viewer-local  | GET | /api/fleets/fleet-1/alerts/export/             | 403",
            "operator: alert export in mixed case          | tf-operator-local | GET | /api/Fleets/fleet-1/Alerts/Export             | 403",
            "viewer: encoded letter in the alerts word     | tf-viewer-local  | GET | /api/fleets/fleet-1/%61lerts/export            | 400",
            "fleet-1 key: fleet-2 alert export             | tf-clinic1-local | GET | /api/fleets/fleet-2/alerts/export              | 403",
            "fleet-1 key: fleet-2 alert export, capitals   | tf-clinic1-local | GET | /API/FLEETS/fleet-2/alerts/export              | 403",
            "fleet-1 key: alert export, dot segments       | tf-clinic1-local | GET | /api/fleets/fleet-1/../fleet-2/alerts/export   | 400",
            "fleet-1 key: own alert export                 | tf-clinic1-local | GET | /api/fleets/fleet-1/alerts/export              | 200",
            "viewer: fleet data in capitals                | tf-viewer-local  | GET | /API/FLEETS/fleet-1/DATA                       | 403",
            "viewer: removing fleet data, trailing slash   | tf-viewer-local  | DELETE | /api/fleets/fleet-1/data/                   | 403",
            "viewer: below the fleet data                  | tf-viewer-local  | GET | /api/fleets/fleet-1/data/x                     | 403",
            "viewer: analytics data with a trailing slash  | tf-viewer-local  | GET | /api/analytics/fleets/fleet-1/data/            | 403",
            "analyst: analytics data in mixed case         | tf-analyst-local | DELETE | /api/Analytics/Fleets/fleet-1/Data          | 403",
            "analyst: analytics data in capitals           | tf-analyst-local | GET | /API/ANALYTICS/FLEETS/fleet-1/DATA             | 403",
            "viewer: encoded letter in the data word       | tf-viewer-local  | DELETE | /api/fleets/fleet-1/%64ata                  | 400",
            "fleet-1 key: removing fleet-2's data          | tf-clinic1-local | DELETE | /api/fleets/fleet-2/data                    | 403",
            "fleet-1 key: fleet-2's analytics data         | tf-clinic1-local | DELETE | /api/analytics/fleets/fleet-2/data          | 403",
            "fleet-1 key: fleet-2's data, dot segments     | tf-clinic1-local | DELETE | /api/fleets/fleet-1/../fleet-2/data         | 400",
            "viewer: notification data in capitals         | tf-viewer-local  | DELETE | /API/FLEETS/fleet-1/NOTIFICATION-DATA       | 403",
            "viewer: notification data, trailing slash     | tf-viewer-local  | GET | /api/fleets/fleet-1/notification-data/         | 403",
            "fleet-1 key: fleet-2's notification data      | tf-clinic1-local | DELETE | /api/fleets/fleet-2/notification-data       | 403",
            "fleet-1 key: notification data, encoded word  | tf-clinic1-local | DELETE | /api/fleets/fleet-2/%6Eotification-data     | 400",
            "fleet-1 key: own notification data            | tf-clinic1-local | DELETE | /api/fleets/fleet-1/notification-data       | 200",
            "fleet-1 key: own fleet data                   | tf-clinic1-local | DELETE | /api/fleets/fleet-1/data                    | 200"})
    void everySpellingIsRefusedOrDecidedAsThePlainPath(String name, String key, String method, String path, int status) throws Exception {
        Map<String, String> headers = new HashMap<>(NotificationRoutesTest.FORGED_CALLER);
        headers.put("X-API-Key", key);
        HttpResponse<String> response = GatewayTest.send(gateway.port(), method, path, headers);
        System.out.printf("ABUSE gateway %-64s -> %d%n", name, response.statusCode());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        if (response.body().contains("\"service\"")) {
            assertThat(response.body()).as("what reached a service").doesNotContain("mallory").contains("\"credentialForwarded\":false");
        }
    }
}
