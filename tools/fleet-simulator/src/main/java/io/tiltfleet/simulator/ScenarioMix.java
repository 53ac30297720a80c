package io.tiltfleet.simulator;

import java.util.EnumMap;
import java.util.Map;
import java.util.Random;

/** Relative weights of the scenarios, e.g. {@code normal=70,steep=8,overstay=6,silent=4,lock-open=4,fast-return=8}. */
public record ScenarioMix(Map<Scenario, Integer> weights) {

    public static final String DEFAULT = "normal=70,steep=8,overstay=6,silent=4,lock-open=4,fast-return=8";

    public ScenarioMix {
        weights = Map.copyOf(weights);
        if (weights.values().stream().anyMatch(w -> w < 0) || weights.values().stream().mapToInt(Integer::intValue).sum() == 0) {
            throw new IllegalArgumentException("scenario weights must be >= 0 and not all 0: " + weights);
        }
    }

    public static ScenarioMix parse(String text) {
        Map<Scenario, Integer> weights = new EnumMap<>(Scenario.class);
        for (String part : text.split(",")) {
            String[] pair = part.split("=");
            if (pair.length != 2) {
                throw new IllegalArgumentException("expected scenario=weight, got '" + part + "' (scenarios: normal, steep, overstay, silent, lock-open, fast-return)");
            }
            weights.put(Scenario.ofLabel(pair[0]), Integer.parseInt(pair[1].trim()));
        }
        return new ScenarioMix(weights);
    }

    public Scenario pick(Random random) {
        int total = weights.values().stream().mapToInt(Integer::intValue).sum();
        int point = random.nextInt(total);
        for (Scenario scenario : Scenario.values()) {
            point -= weights.getOrDefault(scenario, 0);
            if (point < 0) {
                return scenario;
            }
        }
        throw new IllegalStateException("unreachable: weights sum to " + total);
    }
}
