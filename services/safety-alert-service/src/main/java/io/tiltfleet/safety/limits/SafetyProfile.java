package io.tiltfleet.safety.limits;

import io.tiltfleet.contract.TableRef;
import io.tiltfleet.safety.rules.Contraindication;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import java.time.Instant;
import java.util.Set;
import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * A table's own safety settings, kept by the clinic: how far it may tilt (60 degrees unless cleared
 * for more, up to 90), and the contraindications of its user, which forbid inversion altogether.
 *
 * @param maxAngleDeg   null keeps the fleet's limit
 * @param maxAngleUntil when {@code maxAngleDeg} ends and the fleet's limit holds again; null: never (only for a limit of 60 or less)
 */
@Document("safety_profiles")
public record SafetyProfile(@Id String id, String fleetId, String tableId,
                            @DecimalMin("0") @DecimalMax("90") Double maxAngleDeg, Instant maxAngleUntil,
                            Set<Contraindication> contraindications, Instant updatedAt) {

    public SafetyProfile {
        contraindications = contraindications == null ? Set.of() : Set.copyOf(contraindications);
    }

    public static String idOf(String fleetId, String tableId) {
        return new TableRef(fleetId, tableId).key();
    }
}
