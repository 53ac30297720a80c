package io.tiltfleet.safety;

import io.tiltfleet.safety.alerts.AlertStore;
import io.tiltfleet.safety.audit.AuditLog;
import io.tiltfleet.safety.fleetstate.TableStateStore;
import java.time.Duration;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.stereotype.Component;

/**
 * The indexes the rules' alert lookups, the fleet views and the audit trail need, created (or found) at startup, before
 * the Kafka listeners start: the first batch already looks alerts up by their open slot, which alerts
 * stored by an older version get here.
 */
@Component
class StartupIndexes implements SmartInitializingSingleton {

    private final AlertStore alerts;
    private final TableStateStore states;
    private final AuditLog audit;

    StartupIndexes(AlertStore alerts, TableStateStore states, AuditLog audit) {
        this.alerts = alerts;
        this.states = states;
        this.audit = audit;
    }

    @Override
    public void afterSingletonsInstantiated() {
        alerts.createIndexes().then(states.createIndexes()).then(audit.createIndexes()).block(Duration.ofSeconds(30));
    }
}
