package io.tiltfleet.analytics.api;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;

/** A requested [from, to) range, checked: a bad one is the caller's error, said plainly. */
public record TimeRange(Instant from, Instant to) {

    /**
     * One end of a range as a request gives it: an instant ({@code 2026-11-25T10:00:00Z}) or a local day
     * ({@code 2026-11-25}), which is the start of that day in the zone; null when not given.
     */
    public static Instant instantOf(String parameter, String text, ZoneId zone) {
        if (text == null || text.isBlank()) {
            return null;
        }
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

    /** The range asked for, the missing ends filled in. */
    public static TimeRange of(Instant from, Instant to, Instant defaultFrom, Instant defaultTo) {
        TimeRange range = new TimeRange(from == null ? defaultFrom : from, to == null ? defaultTo : to);
        if (!range.from.isBefore(range.to)) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
                    "'from' (" + range.from + ") must be before 'to' (" + range.to + ")");
        }
        return range;
    }

    public TimeRange atMost(Duration longest, String hint) {
        if (Duration.between(from, to).compareTo(longest) > 0) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "the range " + from + " to " + to + " is longer than "
                    + longest.toDays() + " days; " + hint);
        }
        return this;
    }
}
