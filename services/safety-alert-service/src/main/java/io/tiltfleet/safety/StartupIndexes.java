package io.tiltfleet.safety;

import io.tiltfleet.safety.alerts.AlertStore;
import io.tiltfleet.safety.fleetstate.TableStateStore;
import java.time.Duration;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/** The indexes the rules' alert lookups and the fleet views need, created (or found) at startup. */
@Component
class StartupIndexes implements ApplicationRunner {

    private final AlertStore alerts;
    private final TableStateStore states;

    StartupIndexes(AlertStore alerts, TableStateStore states) {
        this.alerts = alerts;
        this.states = states;
    }

    @Override
    public void run(ApplicationArguments args) {
        alerts.createIndexes().then(states.createIndexes()).block(Duration.ofSeconds(30));
    }
}
