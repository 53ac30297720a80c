package io.tiltfleet.safety.fleetstate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;

import io.tiltfleet.contract.TelemetryReading;
import io.tiltfleet.safety.SafetyProperties;
import io.tiltfleet.safety.rules.SafetyLimits;
import io.tiltfleet.safety.rules.TableMonitor;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.mockito.Mockito;

class LiveStatePublisherTest {

    private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

    private static final Duration EVERY = Duration.ofSeconds(1);
    private static final String TABLE = "fleet-1/table-1";

    private final LiveFeedRelay relay = mock(LiveFeedRelay.class);
    private final LiveStatePublisher publisher = new LiveStatePublisher(relay, publisherProperties());

    @Test
    void aTableHeldBackIsShownOnceItsPeriodHasPassedAsItIsThenNotAsItWasOffered() {
        Instant start = periodStart(TABLE);
        publisher.offer(at(45), start, false);                                      // shown: the first in a while
        publisher.offer(at(50), start.plusMillis(200), false);                      // held back: shown in this period
        publisher.flush(start.plusMillis(500), List.of(), table -> at(52));         // still inside the period: nothing
        publisher.flush(start.plusMillis(1200), List.of(), table -> at(55));        // shown, as the table is now

        ArgumentCaptor<TableLiveState> shown = ArgumentCaptor.forClass(TableLiveState.class);
        verify(relay, Mockito.times(2)).share(shown.capture());
        assertThat(shown.getAllValues()).extracting(TableLiveState::angleDeg).containsExactly(45.0, 55.0);
    }

    @Test
    void anAlertChangeIsShownAtOnceWhateverTheInterval() {
        Instant start = periodStart(TABLE);
        publisher.offer(at(45), start, false);
        publisher.offer(at(70), start.plusMillis(100), true);

        verify(relay, Mockito.times(2)).share(Mockito.any());
    }

    @Test
    void tablesReportingOnceASecondAreEachShownWithEveryReadingNotHeldBackForTheTick() {
        // readings a second apart, give or take 20 ms, of 1,000 tables whose last showing was a second ago
        Random jitter = new Random(7);
        for (int table = 0; table < 1_000; table++) {
            Instant shown = T0.plusMillis(jitter.nextInt(1_000));
            publisher.offer(at("t-" + table, 30), shown, false);
            publisher.offer(at("t-" + table, 31), shown.plusMillis(980 + jitter.nextInt(41)), false);
        }
        // measured from each table's last showing, about half of them were held back
        int heldBack = 2_000 - Mockito.mockingDetails(relay).getInvocations().size();
        assertThat(heldBack).isLessThan(30);
    }

    /** The first moment of the table's live-state period after T0. */
    private static Instant periodStart(String table) {
        Instant at = T0;
        while (StaggeredPeriods.number(table, at, EVERY) == StaggeredPeriods.number(table, at.minusMillis(1), EVERY)) {
            at = at.plusMillis(1);
        }
        return at;
    }

    private static TableStateDocument at(double angle) {
        return at("table-1", angle);
    }

    private static TableStateDocument at(String tableId, double angle) {
        TelemetryReading reading = new TelemetryReading("fleet-1", tableId, 1, T0, "s-1", angle, 10, true);
        return TableStateDocument.of("fleet-1", tableId, true, new TableMonitor.Memory(reading, T0, null, Duration.ZERO, Map.of(), null, null, null, null, null, null), 0, null, null);
    }

    private static SafetyProperties publisherProperties() {
        return new SafetyProperties(SafetyLimits.DEFAULTS, Duration.ofSeconds(1), Duration.ofSeconds(15), 256, Duration.ofMinutes(15),
                EVERY, Duration.ofSeconds(5), Duration.ofSeconds(10), false, Duration.ofHours(2), null);
    }
}
