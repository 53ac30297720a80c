package io.tiltfleet.safety.monitoring;

import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/** Time passes for the monitors even when no event arrives: that is how a silent table is noticed. */
@Component
class SilenceClock {

    private final Monitors monitors;

    SilenceClock(Monitors monitors) {
        this.monitors = monitors;
    }

    @Scheduled(fixedDelayString = "${tiltfleet.safety.clock-tick}")
    void tick() {
        monitors.tick();
    }
}
