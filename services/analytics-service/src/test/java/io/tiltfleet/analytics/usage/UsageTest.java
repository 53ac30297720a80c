package io.tiltfleet.analytics.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiltfleet.analytics.sessions.AngleBand;
import io.tiltfleet.analytics.sessions.QuarterSlice;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UsageTest {

    static final Instant TEN = Instant.parse("2026-11-25T10:00:00Z");

    @Test
    void aTableHourSumsTheSlicesOfItsSessionsAndCountsOnlyTheSessionsThatBeganInIt() {
        QuarterSlice began = new QuarterSlice(TEN, true, Map.of(AngleBand.BAND_20_40, 120.0, AngleBand.STEEP_60_75, 60.0), 120 * 30 + 60 * 65, 65);
        QuarterSlice continued = new QuarterSlice(TEN, false, Map.of(AngleBand.BAND_40_60, 180.0), 180 * 50, 50);

        Usage hour = Usage.ofTableSlices(List.of(began, continued));

        assertThat(hour.sessions()).isEqualTo(1);
        assertThat(hour.invertedSeconds()).isEqualTo(360.0);
        assertThat(hour.maxAngleDeg()).isEqualTo(65.0);
        assertThat(hour.meanAngleDeg()).isEqualTo((3600 + 3900 + 9000) / 360.0);
        assertThat(hour.therapeuticShare()).isEqualTo(300.0 / 360.0);        // 20-40 and 40-60, not 60-75
        assertThat(hour.activeTables()).isEqualTo(1);
    }

    @Test
    void aTableIsActiveOnceADayHoweverManyHoursItWasUsed() {
        Usage morning = Usage.ofTableSlices(List.of(new QuarterSlice(TEN, true, Map.of(AngleBand.BAND_20_40, 60.0), 1800, 30)));
        Usage noon = Usage.ofTableSlices(List.of(new QuarterSlice(TEN.plusSeconds(7200), true, Map.of(AngleBand.BAND_40_60, 60.0), 3000, 50)));

        Usage day = Usage.ofSameTable(List.of(morning, noon));

        assertThat(day.sessions()).isEqualTo(2);
        assertThat(day.activeTables()).isEqualTo(1);
        assertThat(day.meanAngleDeg()).isEqualTo(40.0);
    }

    @Test
    void aFleetCountsEachOfItsActiveTablesAndIgnoresIdleOnes() {
        Usage used = Usage.ofTableSlices(List.of(new QuarterSlice(TEN, true, Map.of(AngleBand.BAND_20_40, 60.0), 1800, 30)));
        Usage alsoUsed = Usage.ofTableSlices(List.of(new QuarterSlice(TEN, false, Map.of(AngleBand.STEEP_75_90, 30.0), 2400, 80)));

        Usage fleet = Usage.ofTables(List.of(used, alsoUsed, Usage.NONE));

        assertThat(fleet.activeTables()).isEqualTo(2);
        assertThat(fleet.sessions()).isEqualTo(1);
        assertThat(fleet.maxAngleDeg()).isEqualTo(80.0);
        assertThat(fleet.therapeuticShare()).isEqualTo(60.0 / 90.0);
    }

    @Test
    void reportedFiguresAreInMinutesWithEveryBandListed() {
        Usage hour = new Usage(2, Map.of(AngleBand.BAND_20_40, 90.0, AngleBand.BAND_40_60, 30.0), 90 * 30 + 30 * 50, 50, 1);

        UsagePeriod period = UsagePeriod.of(TEN, Granularity.HOUR, ZoneOffset.UTC, hour);

        assertThat(period.periodEnd()).isEqualTo(TEN.plusSeconds(3600));
        assertThat(period.invertedMinutes()).isEqualTo(2.0);
        assertThat(period.minutesPerBand()).containsEntry(AngleBand.BAND_20_40, 1.5).containsEntry(AngleBand.STEEP_75_90, 0.0).hasSize(6);
        assertThat(period.meanAngleDeg()).isEqualTo(35.0);
        assertThat(period.therapeuticShare()).isEqualTo(1.0);
    }
}
