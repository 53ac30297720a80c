package io.tiltfleet.analytics.intake;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/** Down while sessions cannot be stored: the intake is reading the same readings again and again. */
@Component("intake")
class IntakeHealthIndicator implements HealthIndicator {

    private final ReadingIntake intake;

    IntakeHealthIndicator(ReadingIntake intake) {
        this.intake = intake;
    }

    @Override
    public Health health() {
        String failure = intake.storeFailure();
        return failure == null ? Health.up().build() : Health.down().withDetail("storeFailure", failure).build();
    }
}
