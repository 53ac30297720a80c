package io.tiltfleet.analytics.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiltfleet.analytics.sessions.QuarterSlice;
import io.tiltfleet.analytics.sessions.SessionReconstructor;
import io.tiltfleet.analytics.sessions.SessionSummary;
import io.tiltfleet.contract.TelemetryReading;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Usage cut in local hours and days, from sessions rebuilt from scripted readings: the minutes of each local day and
 * hour are exact in zones a whole, half or three quarters of an hour from UTC, and on the days the clocks change.
 */
class LocalTimeUsageTest {

    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    /** A table held at 30 degrees from {@code from} to {@code to}, a reading every 10 s, then back upright. */
    private static List<QuarterSlice> heldAt30(Instant from, Instant to) {
        SessionReconstructor table = new SessionReconstructor("fleet-1", "table-1", Duration.ofMinutes(2), 120, SessionReconstructor.Progress.NONE);
        List<SessionSummary> closed = new ArrayList<>();
        long seq = 1;
        for (Instant at = from; at.isBefore(to); at = at.plusSeconds(10)) {
            closed.addAll(table.onReading(new TelemetryReading("fleet-1", "table-1", seq++, at, "s-1", 30, 0, true), seq));
        }
        closed.addAll(table.onReading(new TelemetryReading("fleet-1", "table-1", seq, to, null, 0, 0, true), seq));
        assertThat(closed).hasSize(1);
        return closed.get(0).slices();
    }

    private static Map<OffsetDateTime, Double> invertedMinutes(List<QuarterSlice> slices, Granularity granularity, ZoneId zone) {
        Map<OffsetDateTime, Double> minutes = new LinkedHashMap<>();
        Usage.ofTablePeriods(slices, granularity, zone).forEach((period, usage) ->
                minutes.put(period.atZone(zone).toOffsetDateTime(), usage.invertedSeconds() / 60));
        return minutes;
    }

    private static long hoursIn(LocalDate day, ZoneId zone) {
        Instant start = day.atStartOfDay(zone).toInstant();
        return Duration.between(start, Granularity.DAY.next(start, zone)).toHours();
    }

    @ParameterizedTest(name = "{0} on {1}: {2} hours")
    @CsvSource({
            "Europe/Berlin, 2026-03-29, 23", "Europe/Berlin, 2026-10-25, 25", "Europe/Berlin, 2026-07-01, 24",
            "Australia/Sydney, 2026-04-05, 25", "Australia/Sydney, 2026-10-04, 23", "Asia/Kolkata, 2026-03-29, 24",
            "America/St_Johns, 2026-03-08, 23", "America/St_Johns, 2026-11-01, 25"})
    void aTableInUseAllDayHasExactlyTheMinutesOfItsLocalDay(ZoneId zone, LocalDate day, long hours) {
        Instant start = day.atStartOfDay(zone).toInstant();
        Instant end = day.plusDays(1).atStartOfDay(zone).toInstant();

        List<QuarterSlice> slices = heldAt30(start, end);

        assertThat(hoursIn(day, zone)).isEqualTo(hours);
        assertThat(invertedMinutes(slices, Granularity.DAY, zone)).containsExactly(Map.entry(start.atZone(zone).toOffsetDateTime(), hours * 60.0));
        Map<OffsetDateTime, Double> byHour = invertedMinutes(slices, Granularity.HOUR, zone);
        assertThat(byHour).hasSize((int) hours).allSatisfy((hour, minutes) -> assertThat(minutes).isEqualTo(60.0));
        List<Instant> series = new ArrayList<>();
        for (Instant hour = start; hour.isBefore(end); hour = Granularity.HOUR.next(hour, zone)) {
            series.add(hour);
        }
        assertThat(series).hasSize((int) hours);
    }

    @Test
    void everyZonesHoursAndDaysMoveOnAcrossEveryChangeOfItsClocks() {
        Instant first = Instant.parse("1990-01-01T00:00:00Z");
        Instant last = Instant.parse("2036-01-01T00:00:00Z");
        // zones of equal rules (aliases such as US/* and GB) behave alike: one of each is walked
        Map<ZoneRules, String> distinct = new LinkedHashMap<>();
        ZoneId.getAvailableZoneIds().stream().sorted().forEach(id -> distinct.putIfAbsent(ZoneId.of(id).getRules(), id));
        for (String id : distinct.values()) {
            ZoneId zone = ZoneId.of(id);
            ZoneOffsetTransition transition = zone.getRules().nextTransition(first);
            while (transition != null && transition.getInstant().isBefore(last)) {
                Instant around = transition.getInstant().minus(Duration.ofDays(2));
                Instant end = transition.getInstant().plus(Duration.ofDays(2));
                Set<Instant> hours = new HashSet<>();
                for (Instant hour = Granularity.HOUR.periodOf(around, zone); hour.isBefore(end);) {
                    Instant next = Granularity.HOUR.next(hour, zone);
                    assertThat(Duration.between(hour, next)).as("%s: the hour from %s", id, hour).isPositive().isLessThanOrEqualTo(Duration.ofHours(2));
                    hours.add(hour);
                    hour = next;
                }
                // every quarter's hour is one of them: none is skipped, so no rollup is left out of a day or a series
                for (Instant quarter = Granularity.HOUR.periodOf(around, zone); quarter.isBefore(end.minus(Duration.ofHours(3)));
                     quarter = quarter.plus(Duration.ofMinutes(15))) {
                    assertThat(hours.contains(Granularity.HOUR.periodOf(quarter, zone))).as("%s: the hour of %s", id, quarter).isTrue();
                }
                Instant day = Granularity.DAY.periodOf(around, zone);
                assertThat(Duration.between(day, Granularity.DAY.next(day, zone))).as("%s: the day from %s", id, day).isPositive();
                transition = zone.getRules().nextTransition(transition.getInstant());
            }
        }
    }

    @Test
    void theHourTheClocksSkipIsNotThereAndTheSessionAcrossItKeepsItsMinutes() {
        // Berlin, 29 March 2026: 02:00 CET became 03:00 CEST at 01:00 UTC; held 01:30 CET to 03:30 CEST, one hour
        List<QuarterSlice> slices = heldAt30(Instant.parse("2026-03-29T00:30:00Z"), Instant.parse("2026-03-29T01:30:00Z"));

        assertThat(invertedMinutes(slices, Granularity.HOUR, BERLIN)).containsExactly(
                Map.entry(OffsetDateTime.parse("2026-03-29T01:00+01:00"), 30.0),
                Map.entry(OffsetDateTime.parse("2026-03-29T03:00+02:00"), 30.0));
    }

    @Test
    void theHourTheClocksRepeatIsCountedTwiceAsTwoHours() {
        // Berlin, 25 October 2026: 03:00 CEST became 02:00 CET at 01:00 UTC; held 02:30 CEST to 02:30 CET, one hour
        List<QuarterSlice> slices = heldAt30(Instant.parse("2026-10-25T00:30:00Z"), Instant.parse("2026-10-25T01:30:00Z"));

        assertThat(invertedMinutes(slices, Granularity.HOUR, BERLIN)).containsExactly(
                Map.entry(OffsetDateTime.parse("2026-10-25T02:00+02:00"), 30.0),
                Map.entry(OffsetDateTime.parse("2026-10-25T02:00+01:00"), 30.0));
        assertThat(invertedMinutes(slices, Granularity.DAY, BERLIN)).containsExactly(
                Map.entry(OffsetDateTime.parse("2026-10-25T00:00+02:00"), 60.0));
    }

    @ParameterizedTest(name = "{0}: {1} to {2}")
    @CsvSource({
            // a session across local midnight, 15 or 10 minutes either side of it
            "Asia/Kolkata,     2026-06-01T18:15:00Z, 2026-06-01T18:45:00Z, 2026-06-01T23:00+05:30, 2026-06-02T00:00+05:30, 15, 15",
            "America/St_Johns, 2026-07-01T02:20:00Z, 2026-07-01T02:40:00Z, 2026-06-30T23:00-02:30, 2026-07-01T00:00-02:30, 10, 10",
            "America/St_Johns, 2026-01-15T03:20:00Z, 2026-01-15T03:40:00Z, 2026-01-14T23:00-03:30, 2026-01-15T00:00-03:30, 10, 10",
            "Australia/Sydney, 2026-07-01T13:50:00Z, 2026-07-01T14:10:00Z, 2026-07-01T23:00+10:00, 2026-07-02T00:00+10:00, 10, 10",
            "Australia/Sydney, 2026-01-15T12:45:00Z, 2026-01-15T13:15:00Z, 2026-01-15T23:00+11:00, 2026-01-16T00:00+11:00, 15, 15",
            "Asia/Kathmandu,   2026-06-01T18:00:00Z, 2026-06-01T18:30:00Z, 2026-06-01T23:00+05:45, 2026-06-02T00:00+05:45, 15, 15"})
    void aSessionAcrossLocalMidnightIsSplitBetweenTheTwoLocalDaysAndHours(ZoneId zone, Instant from, Instant to, OffsetDateTime lastHour,
                                                                          OffsetDateTime firstHour, double before, double after) {
        List<QuarterSlice> slices = heldAt30(from, to);

        assertThat(invertedMinutes(slices, Granularity.HOUR, zone)).containsExactly(Map.entry(lastHour, before), Map.entry(firstHour, after));
        OffsetDateTime lastDay = lastHour.toLocalDate().atStartOfDay(zone).toOffsetDateTime();
        OffsetDateTime firstDay = firstHour.toLocalDate().atStartOfDay(zone).toOffsetDateTime();
        assertThat(invertedMinutes(slices, Granularity.DAY, zone)).containsExactly(Map.entry(lastDay, before), Map.entry(firstDay, after));
        Map<Instant, Usage> days = Usage.ofTablePeriods(slices, Granularity.DAY, zone);
        assertThat(days.values()).extracting(Usage::sessions).containsExactly(1, 0);   // counted once, on the day it began
    }
}
