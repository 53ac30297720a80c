package io.tiltfleet.safety.fleetstate;

import io.tiltfleet.safety.SafetyProperties;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.springframework.stereotype.Component;

/**
 * Shows the live state of the tables this instance decides, once per period of {@code live-state-every}
 * per table ({@link StaggeredPeriods}) unless its alerts changed: a table reporting ten times a second
 * costs the live topic one state a second. What was held back is shown by a later {@link #flush}, so a
 * table that goes quiet still has its last state shown within the interval. A table reporting once a
 * second is shown with each reading: measured from its last showing instead, every reading a little
 * early was held back, and each tick showed about half the tables at once, under the rules' lock.
 * Not thread-safe: the rule engine calls it under its own lock.
 */
@Component
public class LiveStatePublisher {

    private final LiveFeedRelay relay;
    private final Duration every;
    /** The period each table was last shown in. */
    private final Map<String, Long> shownIn = new HashMap<>();
    /** The tables whose newest state was held back; a flush shows their state as it is then. */
    private final Set<String> heldBack = new LinkedHashSet<>();

    LiveStatePublisher(LiveFeedRelay relay, SafetyProperties properties) {
        this.relay = relay;
        this.every = properties.liveStateEvery();
    }

    /** @param alertsChanged a change of alerts is shown at once */
    public void offer(TableStateDocument state, Instant now, boolean alertsChanged) {
        long period = StaggeredPeriods.number(state.id(), now, every);
        if (!alertsChanged && shownIn.getOrDefault(state.id(), Long.MIN_VALUE) == period) {
            heldBack.add(state.id());
            return;
        }
        show(state, period);
    }

    /**
     * Shows the tables held back whose period has passed, except those given (offered this round
     * already), each as it is now.
     *
     * @param current a table's state now, by its key
     */
    public void flush(Instant now, Collection<String> exceptTables, Function<String, TableStateDocument> current) {
        Set<String> held = new LinkedHashSet<>(heldBack);
        held.removeAll(exceptTables);
        held.forEach(table -> offer(current.apply(table), now, false));
    }

    /** Tables this instance no longer decides: their new owner shows them. */
    public void forget(Collection<String> tables) {
        shownIn.keySet().removeAll(tables);
        heldBack.removeAll(tables);
    }

    private void show(TableStateDocument state, long period) {
        shownIn.put(state.id(), period);
        heldBack.remove(state.id());
        relay.share(state.liveState());
    }
}
