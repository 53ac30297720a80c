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
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.mockito.Mockito;

class LiveStatePublisherTest {

    private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

    private final LiveFeedRelay relay = mock(LiveFeedRelay.class);
    private final LiveStatePublisher publisher = new LiveStatePublisher(relay, new SafetyProperties(SafetyLimits.DEFAULTS, Map.of(),
            Duration.ofSeconds(1), Duration.ofSeconds(15), 256, Duration.ofMinutes(15), Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(10), false));

    @Test
    void aTableHeldBackIsShownOnceItsIntervalHasPassedAsItIsThenNotAsItWasOffered() {
        publisher.offer(at(45), T0, false);                                      // shown: the first in a while
        publisher.offer(at(50), T0.plusMillis(200), false);                      // held back: shown 0.2 s ago
        publisher.flush(T0.plusMillis(500), List.of(), table -> at(52));         // still inside the interval: nothing
        publisher.flush(T0.plusMillis(1200), List.of(), table -> at(55));        // shown, as the table is now

        ArgumentCaptor<TableLiveState> shown = ArgumentCaptor.forClass(TableLiveState.class);
        verify(relay, Mockito.times(2)).share(shown.capture());
        assertThat(shown.getAllValues()).extracting(TableLiveState::angleDeg).containsExactly(45.0, 55.0);
    }

    @Test
    void anAlertChangeIsShownAtOnceWhateverTheInterval() {
        publisher.offer(at(45), T0, false);
        publisher.offer(at(70), T0.plusMillis(100), true);

        verify(relay, Mockito.times(2)).share(Mockito.any());
    }

    private static TableStateDocument at(double angle) {
        TelemetryReading reading = new TelemetryReading("fleet-1", "table-1", 1, T0, "s-1", angle, 10, true);
        return TableStateDocument.of("fleet-1", "table-1", true, new TableMonitor.Memory(reading, T0, null, Duration.ZERO, Map.of(), null), 0);
    }
}
