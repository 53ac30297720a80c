package io.tiltfleet.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tiltfleet.contract.TableRegistration;
import io.tiltfleet.contract.TelemetryReading;
import io.tiltfleet.contract.Topics;
import io.tiltfleet.embedded.MongoStandIn;
import io.tiltfleet.embedded.Ports;
import io.tiltfleet.embedded.RunningService;
import io.tiltfleet.embedded.SharedBrokers;
import io.tiltfleet.embedded.TopicReader;
import java.io.StringReader;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Readings through real Kafka into the service; usage and a CSV export read back over HTTP, then the
 * same readings again (republished, and replayed by a new consumer group) leave every figure as it was.
 */
class AnalyticsPipelineTest {

    /** t-2's last session ends by silence: closed this long after its last reading arrived (the default is 60 s). */
    /** Sessions close 10 s after their table fell silent: no time is allowed for buffered readings here. */
    static final String[] IDLE_TIMEOUT = {"--tiltfleet.analytics.idle-timeout=10s", "--tiltfleet.analytics.arrival-disorder=0s"};

    static final Instant T0 = Instant.parse("2026-11-20T10:59:00Z");
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String DAY = "/api/analytics/fleets/clinic-a/usage?granularity=DAY&from=2026-11-20T00:00:00Z&to=2026-11-21T00:00:00Z";
    static final String SITES = "/api/analytics/fleets/clinic-a/usage/sites?granularity=DAY&from=2026-11-20T00:00:00Z&to=2026-11-21T00:00:00Z";
    static final String HOURS = "/api/analytics/fleets/clinic-a/usage?granularity=HOUR&from=2026-11-20T10:00:00Z&to=2026-11-20T12:00:00Z";
    static final String SESSIONS_CSV = "/api/analytics/fleets/clinic-a/exports/sessions?from=2026-11-20T00:00:00Z&to=2026-11-21T00:00:00Z";
    static final String TABLE_HOURS_CSV = "/api/analytics/fleets/clinic-a/exports/usage?tables=true&granularity=HOUR"
            + "&from=2026-11-20T00:00:00Z&to=2026-11-21T00:00:00Z";

    /** One reading per second from {@code T0 + startSecond}; the session id while above 0. */
    static List<TelemetryReading> table(String fleetId, String tableId, String sessionId, long firstSeq, int startSecond, double... angles) {
        List<TelemetryReading> readings = new ArrayList<>();
        for (int i = 0; i < angles.length; i++) {
            readings.add(new TelemetryReading(fleetId, tableId, firstSeq + i, T0.plusSeconds(startSecond + i),
                    angles[i] > 0 ? sessionId : null, angles[i], i, true));
        }
        return readings;
    }

    static double[] held(double angle, int seconds) {
        double[] angles = new double[seconds];
        java.util.Arrays.fill(angles, angle);
        return angles;
    }

    static double[] join(double[]... parts) {
        return java.util.Arrays.stream(parts).flatMapToDouble(java.util.Arrays::stream).toArray();
    }

    /**
     * t-1: upright, 60 s at 30 degrees from 10:59:01, 30 s at 50, back at 0 at 11:00:31: a 90 s session across 11:00.
     * t-2: 120 s at 70 from 11:10:00, back at 0; then 31 readings at 25 from 11:20:00 and silence: closed by the idle timeout.
     * clinic-b/t-9: a session of another fleet, in none of the first fleet's figures.
     */
    static List<TelemetryReading> scriptedDay(String fleetId) {
        List<TelemetryReading> t1 = table(fleetId, "t-1", "s-1", 1, 0, join(new double[] {0}, held(30, 60), held(50, 30), new double[] {0}));
        // the device resent a stretch, and two readings crossed on the way
        List<TelemetryReading> messy = new ArrayList<>(t1);
        messy.addAll(20, t1.subList(10, 20));
        Collections.swap(messy, 40, 41);
        List<TelemetryReading> readings = new ArrayList<>(messy);
        readings.addAll(table(fleetId, "t-2", "s-2", 1, 660, join(held(70, 120), new double[] {0})));
        readings.addAll(table(fleetId, "t-2", "s-3", 122, 1260, held(25, 31)));
        readings.addAll(table("clinic-b", "t-9", "s-9", 1, 0, join(held(45, 100), new double[] {0})));
        return readings;
    }

    @Test
    void readingsBecomeExactUsageAndAnExportAndTheSameReadingsAgainChangeNothing() throws Exception {
        try (MongoStandIn mongo = MongoStandIn.start(Ports.free())) {
            readTwice(SharedBrokers.kafka().bootstrapServers(), mongo.uri("tiltfleet"));
        }
    }

    static void readTwice(String kafka, String mongoUri) throws Exception {
        List<TelemetryReading> readings = scriptedDay("clinic-a");
        String snapshot;
        // Given the day's readings in the telemetry topic, and clinic-a's t-1 registered at one site, t-2 at another (moved once)
        RunningAnalytics.publish(kafka, readings);
        RunningAnalytics.register(kafka, new TableRegistration("clinic-a", "t-1", "Bed 1", "Berlin-Mitte", "Room 3", null, null, null, T0, null));
        RunningAnalytics.register(kafka, new TableRegistration("clinic-a", "t-2", "Bed 2", "Hamburg", null, null, null, null, T0, null));
        RunningAnalytics.register(kafka, new TableRegistration("clinic-a", "t-2", "Bed 2", "Hamburg-Altona", null, null, null, null, T0, null));
        try (RunningService analytics = RunningAnalytics.start(kafka, mongoUri, "analytics-pipeline-1", IDLE_TIMEOUT)) {
            // When the service has read them, the day of clinic-a reads:
            await().atMost(Duration.ofSeconds(60)).until(() -> usage(analytics, DAY).path("periods").path(0).path("sessions").asInt() == 3);
            JsonNode day = usage(analytics, DAY).path("periods").path(0);
            assertThat(day.path("periodStart").asString()).isEqualTo("2026-11-20T00:00:00Z");
            assertThat(day.path("sessions").asInt()).isEqualTo(3);
            assertThat(day.path("invertedMinutes").asDouble()).isEqualTo(4.0);                 // 90 + 120 + 30 s
            assertThat(day.path("minutesPerBand").path("BAND_20_40").asDouble()).isEqualTo(1.5); // 60 s at 30, 30 s at 25
            assertThat(day.path("minutesPerBand").path("BAND_40_60").asDouble()).isEqualTo(0.5);
            assertThat(day.path("minutesPerBand").path("STEEP_60_75").asDouble()).isEqualTo(2.0);
            assertThat(day.path("maxAngleDeg").asDouble()).isEqualTo(70.0);
            assertThat(day.path("meanAngleDeg").asDouble()).isEqualTo(51.88);                   // 12,450 degree-seconds / 240 s
            assertThat(day.path("therapeuticShare").asDouble()).isEqualTo(0.5);                 // 120 of 240 s at 20-60
            assertThat(day.path("activeTables").asInt()).isEqualTo(2);

            // And site by site, each table counted at the site it is registered at now
            await().atMost(Duration.ofSeconds(30)).until(() -> "Hamburg-Altona".equals(usage(analytics, SITES).path("sites").path(1).path("site")
                    .asString(null)));
            JsonNode bySite = usage(analytics, SITES).path("sites");
            assertThat(bySite).hasSize(2);
            assertThat(bySite.path(0).path("site").asString()).isEqualTo("Berlin-Mitte");
            assertThat(bySite.path(0).path("periods").path(0).path("invertedMinutes").asDouble()).isEqualTo(1.5);   // t-1's 90 s
            assertThat(bySite.path(1).path("site").asString()).isEqualTo("Hamburg-Altona");
            assertThat(bySite.path(1).path("periods").path(0).path("invertedMinutes").asDouble()).isEqualTo(2.5);  // t-2's 150 s
            assertThat(bySite.path(1).path("periods").path(0).path("sessions").asInt()).isEqualTo(2);

            // Then hour by hour each second is in the hour it happened, each session in the hour it began
            JsonNode hours = usage(analytics, HOURS).path("periods");
            assertThat(hours).hasSize(2);
            assertThat(hours.path(0).path("sessions").asInt()).isEqualTo(1);
            assertThat(hours.path(0).path("invertedMinutes").asDouble()).isEqualTo(0.983);     // 59 s of t-1 before 11:00
            assertThat(hours.path(1).path("sessions").asInt()).isEqualTo(2);
            assertThat(hours.path(1).path("invertedMinutes").asDouble()).isEqualTo(3.017);     // 31 + 120 + 30 s

            // And the sessions export is an RFC 4180 file with a header, named after the fleet and the range
            HttpResponse<String> export = RunningAnalytics.request(analytics, SESSIONS_CSV);
            assertThat(export.statusCode()).isEqualTo(200);
            assertThat(export.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/csv"));
            assertThat(export.headers().firstValue("Content-Disposition"))
                    .hasValue("attachment; filename=\"tiltfleet_clinic-a_sessions_2026-11-20_2026-11-21.csv\"");
            assertThat(export.body()).contains("\r\n");
            List<CSVRecord> rows = CSVFormat.RFC4180.builder().setHeader().get().parse(new StringReader(export.body())).getRecords();
            assertThat(rows).hasSize(3);
            CSVRecord first = rows.get(0);
            assertThat(first.get("session_id")).isEqualTo("clinic-a/t-1/s-1/" + T0.plusSeconds(1).toEpochMilli());
            assertThat(first.get("start")).isEqualTo("2026-11-20T10:59:01Z");
            assertThat(first.get("end")).isEqualTo("2026-11-20T11:00:31Z");
            assertThat(first.get("duration_s")).isEqualTo("90");
            assertThat(first.get("band_20_40_s")).isEqualTo("60");
            assertThat(first.get("band_40_60_s")).isEqualTo("30");
            assertThat(first.get("readings")).isEqualTo("91");           // 90 inclined and the one back at 0, resent ones once
            assertThat(first.get("ended_by")).isEqualTo("RETURNED_UPRIGHT");
            assertThat(rows.get(2).get("ended_by")).isEqualTo("IDLE_TIMEOUT");
            assertThat(rows.get(1).get("steep_excursions")).isEqualTo("1");
            snapshot = snapshot(analytics);
            double closedBefore = RunningAnalytics.metric(analytics, "tiltfleet_analytics_sessions_closed_total");

            // When the same readings arrive a second time
            RunningAnalytics.publish(kafka, readings);
            awaitEverythingRead(kafka, analytics);

            // Then nothing changed, and no session was closed again
            assertThat(snapshot(analytics)).isEqualTo(snapshot);
            assertThat(RunningAnalytics.metric(analytics, "tiltfleet_analytics_sessions_closed_total")).isEqualTo(closedBefore);
        }

        // When a new consumer group reads the whole topic again
        try (RunningService replay = RunningAnalytics.start(kafka, mongoUri, "analytics-pipeline-2", IDLE_TIMEOUT)) {
            awaitEverythingRead(kafka, replay);
            // Then nothing changed either
            assertThat(snapshot(replay)).isEqualTo(snapshot);
        }
    }

    /** Until the service (of its own consumer group, from the start) has read and stored every record in the topic. */
    private static void awaitEverythingRead(String kafka, RunningService analytics) {
        long records = TopicReader.recordCount(kafka, Topics.TELEMETRY_READINGS);
        await().atMost(Duration.ofSeconds(60)).until(() -> RunningAnalytics.metric(analytics, "tiltfleet_analytics_readings_consumed_total")
                + RunningAnalytics.metric(analytics, "tiltfleet_analytics_readings_unreadable_total") >= records);
    }

    private static JsonNode usage(RunningService analytics, String path) {
        String body = RunningAnalytics.get(analytics, path);
        return body.isEmpty() ? JSON.createObjectNode() : JSON.readTree(body);
    }

    /** Everything a user could read about the day. */
    private static String snapshot(RunningService analytics) {
        return String.join("\n---\n", RunningAnalytics.get(analytics, DAY), RunningAnalytics.get(analytics, HOURS),
                RunningAnalytics.get(analytics, SESSIONS_CSV), RunningAnalytics.get(analytics, TABLE_HOURS_CSV),
                RunningAnalytics.get(analytics, "/api/analytics/fleets/clinic-a/sessions?from=2026-11-20T00:00:00Z"));
    }
}
