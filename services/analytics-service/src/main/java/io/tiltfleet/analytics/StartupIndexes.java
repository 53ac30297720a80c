package io.tiltfleet.analytics;

import io.tiltfleet.analytics.safety.AlertFacts;
import io.tiltfleet.analytics.sessions.SessionStore;
import io.tiltfleet.analytics.usage.RollupStore;
import java.time.Duration;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.stereotype.Component;

/** The indexes the session queries and exports need, created (or found) at startup, before the Kafka listeners start. */
@Component
class StartupIndexes implements SmartInitializingSingleton {

    private final SessionStore sessions;
    private final RollupStore rollups;
    private final AlertFacts alerts;

    StartupIndexes(SessionStore sessions, RollupStore rollups, AlertFacts alerts) {
        this.sessions = sessions;
        this.rollups = rollups;
        this.alerts = alerts;
    }

    @Override
    public void afterSingletonsInstantiated() {
        sessions.createIndexes().then(rollups.createIndexes()).then(alerts.createIndexes()).block(Duration.ofSeconds(30));
    }
}
