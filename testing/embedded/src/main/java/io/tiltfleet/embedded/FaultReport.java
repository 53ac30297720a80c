package io.tiltfleet.embedded;

/**
 * What a fault test owed and what it found, as one line that CI logs keep: of what was sent and
 * acknowledged, how much was stored, how much twice, and how much not at all.
 *
 * @param unit what is counted: readings, alerts, alert events, sessions
 */
public record FaultReport(String scenario, String unit, long sent, long acknowledged, long stored, long duplicates, long lost) {

    public String line() {
        return "FAULT %-28s %-13s sent=%d acknowledged=%d stored=%d duplicates=%d lost=%d"
                .formatted(scenario, unit, sent, acknowledged, stored, duplicates, lost);
    }

    public FaultReport print() {
        System.out.println(line());
        return this;
    }
}
