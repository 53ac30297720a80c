package io.tiltfleet.safety.rules;

import java.util.Collection;
import java.util.Locale;
import java.util.stream.Collectors;

/** Conditions under which inversion is discouraged (domain brief); a clinic records them on a table's profile. */
public enum Contraindication {
    HIGH_BLOOD_PRESSURE,
    HEART_DISEASE,
    STROKE_HISTORY,
    GLAUCOMA,
    RETINAL_DETACHMENT,
    PREGNANCY,
    BONE_FRACTURE,
    SEVERE_OSTEOPOROSIS,
    INNER_EAR_DISORDER,
    HIATAL_HERNIA,
    BLOOD_PRESSURE_MEDICATION,
    BLOOD_THINNERS,
    GLAUCOMA_TREATMENT;

    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    /** "glaucoma, pregnancy": as every alert of a table with contraindications says them. */
    public static String labels(Collection<Contraindication> flags) {
        return flags.stream().sorted().map(Contraindication::label).collect(Collectors.joining(", "));
    }
}
