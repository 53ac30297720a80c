package io.tiltfleet.safety.credentials;

import io.tiltfleet.contract.TableRef;
import java.time.Instant;

/**
 * Where a table's broker account stands, as the fleets' configuration log records it: never its password. Each
 * change is recorded when asked for (PENDING) and again once the broker took it (ACTIVE, REVOKED) or did not (FAILED),
 * so that the audit trail holds every change asked for, whatever happened to the broker meanwhile.
 *
 * @param username the account, {@code fleetId/tableId}; the table must also connect with it as its client id
 * @param action   ISSUE (a new password: created or rotated) or REVOKE
 * @param failure  why the broker did not take it, for FAILED, or did not confirm it, for UNKNOWN
 */
public record TableCredentials(String fleetId, String tableId, String username, Action action, Status status, Instant at, String failure) {

    public enum Action { ISSUE, REVOKE }

    /** UNKNOWN: the broker did not confirm the change, which may or may not have been made. */
    public enum Status { PENDING, ACTIVE, REVOKED, FAILED, UNKNOWN }

    static TableCredentials pending(String fleetId, String tableId, Action action, Instant at) {
        return new TableCredentials(fleetId, tableId, usernameOf(fleetId, tableId), action, Status.PENDING, at, null);
    }

    TableCredentials done(Instant when) {
        return new TableCredentials(fleetId, tableId, username, action, action == Action.ISSUE ? Status.ACTIVE : Status.REVOKED, when, null);
    }

    TableCredentials failed(Instant when, String why) {
        return new TableCredentials(fleetId, tableId, username, action, Status.FAILED, when, why);
    }

    TableCredentials unconfirmed(Instant when, String why) {
        return new TableCredentials(fleetId, tableId, username, action, Status.UNKNOWN, when, why);
    }

    /** A table's account: {@code fleetId/tableId}, so that two fleets' tables of one id never share one. */
    public static String usernameOf(String fleetId, String tableId) {
        return new TableRef(fleetId, tableId).key();
    }
}
