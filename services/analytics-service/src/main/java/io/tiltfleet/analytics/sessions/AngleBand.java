package io.tiltfleet.analytics.sessions;

import java.util.Map;

/** The angle bands of usage reports; 20-60 is the usual therapeutic range, above 60 is steep. */
public enum AngleBand {
    HEAD_UP(-90, 0),
    FLAT_0_20(0, 20),
    BAND_20_40(20, 40),
    BAND_40_60(40, 60),
    STEEP_60_75(60, 75),
    STEEP_75_90(75, 90.0001);

    private final double fromDeg;
    private final double toDeg;

    AngleBand(double fromDeg, double toDeg) {
        this.fromDeg = fromDeg;
        this.toDeg = toDeg;
    }

    /** Lower bound included, upper bound excluded (90 belongs to the last band). */
    public static AngleBand of(double angleDeg) {
        for (AngleBand band : values()) {
            if (angleDeg >= band.fromDeg && angleDeg < band.toDeg) {
                return band;
            }
        }
        throw new IllegalArgumentException("angle outside [-90, 90]: " + angleDeg);
    }

    public boolean therapeutic() {
        return this == BAND_20_40 || this == BAND_40_60;
    }

    public boolean inverted() {
        return this != HEAD_UP;
    }

    /** The seconds of the head-down bands. */
    public static double invertedSeconds(Map<AngleBand, Double> secondsPerBand) {
        return secondsPerBand.entrySet().stream().filter(e -> e.getKey().inverted()).mapToDouble(Map.Entry::getValue).sum();
    }

    /** The seconds of the 20-60 degree bands. */
    public static double therapeuticSeconds(Map<AngleBand, Double> secondsPerBand) {
        return secondsPerBand.entrySet().stream().filter(e -> e.getKey().therapeutic()).mapToDouble(Map.Entry::getValue).sum();
    }
}
