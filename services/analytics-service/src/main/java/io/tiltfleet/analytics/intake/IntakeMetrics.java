package io.tiltfleet.analytics.intake;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tiltfleet.analytics.sessions.SessionSummary;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Component;

/** What the intake did: readings consumed (or not counted, or late), sessions closed, lag behind the topic, storage failures. */
@Component
class IntakeMetrics {

    static final String READINGS_CONSUMED = "tiltfleet.analytics.readings.consumed";
    static final String READINGS_UNREADABLE = "tiltfleet.analytics.readings.unreadable";
    static final String READINGS_MISDATED = "tiltfleet.analytics.readings.misdated";
    static final String READINGS_LATE = "tiltfleet.analytics.readings.late";
    static final String SESSIONS_CLOSED = "tiltfleet.analytics.sessions.closed";
    static final String SESSIONS_OPEN = "tiltfleet.analytics.sessions.open";
    static final String CONSUMER_LAG = "tiltfleet.analytics.consumer.lag";
    static final String STORE_FAILURES = "tiltfleet.analytics.store.failures";

    private final MeterRegistry registry;
    private final Counter consumed;
    private final Counter unreadable;
    private final Counter misdated;
    private final Counter late;
    private final Counter storeFailures;
    private final AtomicLong open = new AtomicLong();
    private final AtomicLong lag = new AtomicLong();

    IntakeMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.consumed = Counter.builder(READINGS_CONSUMED).description("Readings read from the telemetry topic").register(registry);
        this.unreadable = Counter.builder(READINGS_UNREADABLE).description("Records of the telemetry topic that are not readings").register(registry);
        this.misdated = Counter.builder(READINGS_MISDATED)
                .description("Readings not counted: dated further than the allowed clock skew from when they reached the platform").register(registry);
        this.late = Counter.builder(READINGS_LATE)
                .description("Readings not counted: they came after later readings of their table had left the reorder window").register(registry);
        this.storeFailures = Counter.builder(STORE_FAILURES).description("Batches whose sessions or rollups could not be stored; read again").register(registry);
        Gauge.builder(SESSIONS_OPEN, open, AtomicLong::get).description("Sessions open on this instance").register(registry);
        Gauge.builder(CONSUMER_LAG, lag, AtomicLong::get).description("Readings in the topic not yet read by this instance").register(registry);
    }

    void consumed(int readings, int unreadableRecords, int misdatedReadings, long lateReadings) {
        consumed.increment(readings);
        unreadable.increment(unreadableRecords);
        misdated.increment(misdatedReadings);
        late.increment(lateReadings);
    }

    void closed(Collection<SessionSummary> sessions) {
        sessions.forEach(session -> Counter.builder(SESSIONS_CLOSED).description("Sessions closed and stored")
                .tag("ended_by", session.endedBy().name()).register(registry).increment());
    }

    void state(int openSessions, long readingsBehind) {
        open.set(openSessions);
        lag.set(readingsBehind);
    }

    void storeFailed() {
        storeFailures.increment();
    }
}
