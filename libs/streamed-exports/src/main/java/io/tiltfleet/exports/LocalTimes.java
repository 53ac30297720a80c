package io.tiltfleet.exports;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;

/**
 * The conventions of a fleet's local time in requests and files: a request's {@code tz} (an IANA zone id) instead of
 * the fleet's zone, a range end given as an instant or a local day, and a time written with the offset then in force.
 */
public final class LocalTimes {

    /** Wide enough for any local day of the years 1970 to 9999 in any zone, and far from where calendar arithmetic overflows. */
    private static final Instant EARLIEST = Instant.parse("1900-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("+10001-01-01T00:00:00Z");

    private LocalTimes() {
    }

    /** The zone {@code tz} names, checked, or the fleet's own when it names none. */
    public static ZoneId zone(String tz, ZoneId fleetZone) {
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

    /**
     * One end of a range as a request gives it: an instant ({@code 2026-11-25T10:00:00Z}) or a local day
     * ({@code 2026-11-25}), which is the start of that day in the zone; null when not given.
     */
    public static Instant instantOf(String parameter, String text, ZoneId zone) {
        if (text == null || text.isBlank()) {
            return null;
        }
        Instant instant = parse(parameter, text, zone);
        // days and hours past the year 9999 overflow the calendar arithmetic of reports and file names
        if (instant.isBefore(EARLIEST) || !instant.isBefore(LATEST)) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, parameter + ": '" + text + "' is not between the years 1900 and 10000");
        }
        return instant;
    }

    private static Instant parse(String parameter, String text, ZoneId zone) {
        try {
            return Instant.parse(text.strip());
        } catch (DateTimeParseException notAnInstant) {
            try {
                return LocalDate.parse(text.strip()).atStartOfDay(zone).toInstant();
            } catch (DateTimeParseException notADay) {
                throw new ResponseStatusException(HttpStatus.BAD_REQUEST, parameter + ": '" + text
                        + "' is neither a time such as 2026-11-25T10:00:00Z nor a local day such as 2026-11-25");
            }
        }
    }

    /** {@code 2026-03-29T03:15:00+02:00}; null for none. */
    public static String text(Instant instant, ZoneId zone) {
        return instant == null ? null : DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(instant.atZone(zone));
    }
}
