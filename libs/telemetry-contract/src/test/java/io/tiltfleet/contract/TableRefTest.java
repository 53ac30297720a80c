package io.tiltfleet.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class TableRefTest {

    @Test
    void theKeyIsFleetSlashTableAsStoredIdsHaveAlwaysBeen() {
        assertThat(new TableRef("fleet-1", "t-1").key()).isEqualTo("fleet-1/t-1");
    }

    @Test
    void aKeyNamesItsFleetAndAnythingElseNone() {
        assertThat(TableRef.fleetIdOf(new TableRef("clinic-a", "table-001").key())).isEqualTo("clinic-a");
        assertThat(TableRef.fleetIdOf("/table-001")).isNull();
        assertThat(TableRef.fleetIdOf("no-slash")).isNull();
        assertThat(TableRef.fleetIdOf(null)).isNull();
    }

    @Test
    void twoFleetsTablesOfTheSameIdHaveDifferentKeys() {
        assertThat(new TableRef("clinic-a", "table-001").key()).isNotEqualTo(new TableRef("clinic-b", "table-001").key());
    }

    @Test
    void aReadingAndAStatusNameTheirTable() {
        Instant now = Instant.parse("2026-11-25T10:15:30Z");
        assertThat(new TelemetryReading("f", "t", 1, now, null, 0, 0, true).table()).isEqualTo(new TableRef("f", "t"));
        assertThat(new TableStatus("f", "t", TableStatus.State.ONLINE, now).table()).isEqualTo(new TableRef("f", "t"));
    }

    @Test
    void theTableAccessorDoesNotBecomeAJsonField() {
        String json = JsonMapper.builder().build().writeValueAsString(
                new TableStatus("f", "t", TableStatus.State.ONLINE, Instant.parse("2026-11-25T10:15:30Z")));
        assertThat(json).doesNotContain("table\"");
    }

    @Test
    void idsAreOneToSixtyFourLettersDigitsUnderscoresOrHyphens() {
        assertThat(Ids.PATTERN).isEqualTo("[A-Za-z0-9_-]{1,64}");
        assertThat(Ids.isValid("Clinic_1-a")).isTrue();
        assertThat(Ids.isValid("x".repeat(64))).isTrue();
        assertThat(Ids.isValid("x".repeat(65))).isFalse();
        assertThat(Ids.isValid("")).isFalse();
        assertThat(Ids.isValid("fleet/1")).as("a slash would make keys ambiguous").isFalse();
        assertThat(Ids.isValid("t.1")).isFalse();
        assertThat(Ids.isValid(null)).isFalse();
    }
}
