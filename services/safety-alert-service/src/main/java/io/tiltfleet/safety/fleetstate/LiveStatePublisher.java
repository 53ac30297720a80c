package io.tiltfleet.safety.fleetstate;

import io.tiltfleet.safety.SafetyProperties;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Shows the live state of the tables this instance decides, at most once per {@code live-state-every}
 * per table unless its alerts changed: a table reporting ten times a second costs the live topic one
 * state a second. What was held back is shown by a later {@link #flush}, so a table that goes quiet
 * still has its last state shown within the interval. Not thread-safe: the rule engine calls it under its own lock.
 */
@Component
public class LiveStatePublisher {

    private final LiveFeedRelay relay;
    private final Duration every;
    private final Map<String, Instant> shownAt = new HashMap<>();
    private final Map<String, TableStateDocument> heldBack = new LinkedHashMap<>();

    LiveStatePublisher(LiveFeedRelay relay, SafetyProperties properties) {
        this.relay = relay;
        this.every = properties.liveStateEvery();
    }

    /** @param alertsChanged a change of alerts is shown at once */
    public void offer(TableStateDocument state, Instant now, boolean alertsChanged) {
        Instant last = shownAt.getOrDefault(state.id(), Instant.EPOCH);
        if (!alertsChanged && Duration.between(last, now).compareTo(every) < 0) {
            heldBack.put(state.id(), state);
            return;
        }
        show(state, now);
    }

    /** Shows the states held back whose interval has passed, except those of the tables given (offered this round already). */
    public void flush(Instant now, Collection<String> exceptTables) {
        Map<String, TableStateDocument> held = new LinkedHashMap<>(heldBack);
        held.keySet().removeAll(exceptTables);
        held.values().forEach(state -> offer(state, now, false));
    }

    /** Tables this instance no longer decides: their new owner shows them. */
    public void forget(Collection<String> tables) {
        shownAt.keySet().removeAll(tables);
        heldBack.keySet().removeAll(tables);
    }

    private void show(TableStateDocument state, Instant now) {
        shownAt.put(state.id(), now);
        heldBack.remove(state.id());
        relay.share(state.liveState());
    }
}
