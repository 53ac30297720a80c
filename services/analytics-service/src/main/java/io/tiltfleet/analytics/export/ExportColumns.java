package io.tiltfleet.analytics.export;

import io.tiltfleet.analytics.sessions.AngleBand;
import io.tiltfleet.analytics.sessions.SessionDocument;
import io.tiltfleet.analytics.usage.RollupDocument;
import io.tiltfleet.exports.Column;
import io.tiltfleet.exports.LocalTimes;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The columns of the two exports, in file order; docs/analytics-service.md documents each. */
final class ExportColumns {

    private static final Map<AngleBand, String> BAND_NAMES = Map.of(AngleBand.HEAD_UP, "head_up", AngleBand.FLAT_0_20, "band_0_20",
            AngleBand.BAND_20_40, "band_20_40", AngleBand.BAND_40_60, "band_40_60", AngleBand.STEEP_60_75, "band_60_75",
            AngleBand.STEEP_75_90, "band_75_90");

    static final List<Column<RollupDocument>> USAGE = usage();

    private ExportColumns() {
    }

    /** @param zone the time zone of the local start and end columns */
    static List<Column<SessionDocument>> sessions(ZoneId zone) {
        List<Column<SessionDocument>> columns = new ArrayList<>(List.of(
                Column.of("session_id", SessionDocument::id),
                Column.of("fleet_id", SessionDocument::fleetId),
                Column.of("table_id", SessionDocument::tableId),
                Column.of("device_session_id", SessionDocument::sessionId),
                Column.of("start", SessionDocument::start),
                Column.of("end", SessionDocument::end),
                Column.of("start_local", session -> LocalTimes.text(session.start(), zone)),
                Column.of("end_local", session -> LocalTimes.text(session.end(), zone)),
                Column.decimal("duration_s", SessionDocument::durationS),
                Column.decimal("inverted_s", SessionDocument::invertedS)));
        for (AngleBand band : AngleBand.values()) {
            columns.add(Column.decimal(BAND_NAMES.get(band) + "_s", session -> session.secondsPerBand().getOrDefault(band, 0.0)));
        }
        columns.addAll(List.of(
                Column.decimal("max_angle_deg", SessionDocument::maxAngleDeg),
                Column.decimal("mean_angle_deg", SessionDocument::meanAngleDeg),
                Column.of("steep_excursions", SessionDocument::steepExcursions),
                Column.of("readings", SessionDocument::readings),
                Column.of("ended_by", SessionDocument::endedBy)));
        return List.copyOf(columns);
    }

    private static List<Column<RollupDocument>> usage() {
        List<Column<RollupDocument>> columns = new ArrayList<>(List.of(
                Column.of("scope", RollupDocument::scope),
                Column.of("fleet_id", RollupDocument::fleetId),
                Column.of("table_id", RollupDocument::tableId),
                Column.of("granularity", RollupDocument::granularity),
                Column.of("period_start", RollupDocument::periodStart),
                Column.of("period_end", RollupDocument::periodEnd),
                Column.of("time_zone", RollupDocument::zone),
                Column.of("period_start_local", rollup -> LocalTimes.text(rollup.periodStart(), ZoneId.of(rollup.zone()))),
                Column.of("period_end_local", rollup -> LocalTimes.text(rollup.periodEnd(), ZoneId.of(rollup.zone()))),
                Column.of("sessions", RollupDocument::sessions),
                Column.decimal("inverted_min", rollup -> rollup.usage().invertedSeconds() / 60)));
        for (AngleBand band : AngleBand.values()) {
            columns.add(Column.decimal(BAND_NAMES.get(band) + "_min", rollup -> rollup.usage().secondsPerBand().getOrDefault(band, 0.0) / 60));
        }
        columns.addAll(List.of(
                Column.decimal("mean_angle_deg", rollup -> rollup.usage().meanAngleDeg()),
                Column.decimal("max_angle_deg", RollupDocument::maxAngleDeg),
                Column.decimal("therapeutic_share", rollup -> rollup.usage().therapeuticShare()),
                Column.of("active_tables", RollupDocument::activeTables)));
        return List.copyOf(columns);
    }
}
