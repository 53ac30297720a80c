package io.tiltfleet.safety.intake;

import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/** Time passes for the owned tables even when no event arrives: that is how a silent table is noticed. */
@Component
class SilenceClock {

    private final RuleEngine rules;

    SilenceClock(RuleEngine rules) {
        this.rules = rules;
    }

    @Scheduled(fixedDelayString = "${tiltfleet.safety.clock-tick}")
    void tick() {
        rules.tick();
    }
}
