package io.tiltfleet.analytics.api;

import java.time.ZoneId;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;

/** The time zone a request's {@code tz} names, checked, or the fleet's own when it names none. */
public final class RequestedZone {

    private RequestedZone() {
    }

    public static ZoneId or(String tz, ZoneId fleetZone) {
        if (tz == null || tz.isBlank()) {
            return fleetZone;
        }
        // only the zones of the IANA database, as the fleet settings take: an offset such as +05:17 would cut inexact hours
        if (!ZoneId.getAvailableZoneIds().contains(tz.strip())) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
                    "tz: '" + tz + "' is not a time zone; give an IANA time zone id such as Europe/Berlin or Asia/Kolkata");
        }
        return ZoneId.of(tz.strip()).normalized();
    }
}
