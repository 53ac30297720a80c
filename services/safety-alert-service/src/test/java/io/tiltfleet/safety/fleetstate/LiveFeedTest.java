package io.tiltfleet.safety.fleetstate;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

class LiveFeedTest {

    private static final Instant NOW = Instant.parse("2026-12-03T10:00:00Z");

    private final LiveFeed feed = new LiveFeed();

    @Test
    void aStateOfAnUnwatchedFleetIsReadOnlyWhenAStreamOfTheFleetBeginsAndThenStreamsComeAsTheyAre() {
        AtomicInteger reads = new AtomicInteger();
        feed.keep("clinic", "clinic/t-1", () -> {
            reads.incrementAndGet();
            return state("t-1", 10);
        });
        feed.keep("gym", "gym/t-1", () -> {
            reads.incrementAndGet();
            return state("t-1", 20);
        });
        assertThat(feed.watched("clinic")).isFalse();
        assertThat(reads).hasValue(0);

        // When a stream of the clinic begins
        List<TableLiveState> shown = new CopyOnWriteArrayList<>();
        Disposable stream = feed.tables("clinic").subscribe(shown::add);

        // Then it begins with the clinic's kept state, read now and only now; the clinic is watched from then on
        assertThat(shown).extracting(TableLiveState::angleDeg).containsExactly(10.0);
        assertThat(reads).hasValue(1);
        assertThat(feed.watched("clinic")).isTrue();
        assertThat(feed.watched("gym")).isFalse();

        feed.publish(state("t-2", 30));
        assertThat(shown).extracting(TableLiveState::angleDeg).containsExactly(10.0, 30.0);

        // once its last stream ends, nobody watches the clinic
        Disposable second = feed.tables("clinic").subscribe();
        stream.dispose();
        assertThat(feed.watched("clinic")).isTrue();
        second.dispose();
        assertThat(feed.watched("clinic")).isFalse();
    }

    @Test
    void aStateKeptJustAsAStreamOfItsFleetBeganIsShownOnIt() {
        List<TableLiveState> shown = new CopyOnWriteArrayList<>();
        feed.tables("clinic").subscribe(shown::add);

        // the relay found the fleet unwatched a moment before the stream began
        feed.keep("clinic", "clinic/t-3", () -> state("t-3", 40));

        assertThat(shown).extracting(TableLiveState::angleDeg).containsExactly(40.0);
    }

    @Test
    void aKeptStateThatCannotBeReadIsLeftOutOfTheStreamsBeginning() {
        feed.keep("clinic", "clinic/t-1", () -> null);
        feed.publish(state("t-2", 30));

        assertThat(feed.tables("clinic").take(1).collectList().block()).extracting(TableLiveState::tableId).containsExactly("t-2");
    }

    private static TableLiveState state(String tableId, double angle) {
        return new TableLiveState("clinic", tableId, true, angle, true, 12.0, NOW, List.of());
    }
}
