package io.tiltfleet.safety.intake;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class OwnedTableTest {

    private static final Duration CHECKPOINT = Duration.ofSeconds(5);
    private static final int TABLES = 3_000;
    private static final Instant START = Instant.parse("2026-12-02T10:00:00.250Z");

    @Test
    void tablesStoredTogetherAreDueAgainSpreadAcrossTheIntervalEachOncePerInterval() {
        // Given 3,000 tables, all stored in the same batch
        List<OwnedTable> tables = IntStream.range(0, TABLES).mapToObj(i -> new OwnedTable("f", "t-" + i, null, 0, true, null, null)).toList();
        tables.forEach(table -> assertThat(table.dueForStoring(START, CHECKPOINT)).isTrue());
        tables.forEach(table -> table.stored(START, CHECKPOINT));

        // When they keep reporting, a batch every 100 ms for a minute
        List<Integer> duePerSecond = new ArrayList<>();
        int[] writes = new int[TABLES];
        for (int second = 0; second < 60; second++) {
            int due = 0;
            for (int tenth = 1; tenth <= 10; tenth++) {
                Instant now = START.plusMillis(second * 1000L + tenth * 100L);
                for (int i = 0; i < TABLES; i++) {
                    if (tables.get(i).dueForStoring(now, CHECKPOINT)) {
                        tables.get(i).stored(now, CHECKPOINT);
                        writes[i]++;
                        due++;
                    }
                }
            }
            duePerSecond.add(due);
        }

        // Then about a fifth of them are written each second, never all at once, and each once per interval
        assertThat(duePerSecond).allSatisfy(due -> assertThat(due).isBetween(TABLES / 5 - 150, TABLES / 5 + 150));
        assertThat(writes).containsOnly(12);
    }

    @Test
    void aTableWhoseAlertsChangedIsDueAtOnceWhateverItsPeriod() {
        OwnedTable table = new OwnedTable("f", "t-1", null, 0, true, null, null);
        table.stored(START, CHECKPOINT);
        assertThat(table.dueForStoring(START.plusMillis(10), CHECKPOINT)).isFalse();
        assertThat(table.unsaved()).isTrue();

        table.alertsChanged();

        assertThat(table.dueForStoring(START.plusMillis(20), CHECKPOINT)).isTrue();
    }
}
