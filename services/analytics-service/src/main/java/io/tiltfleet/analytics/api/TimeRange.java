package io.tiltfleet.analytics.api;

import java.time.Duration;
import java.time.Instant;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;

/** A requested [from, to) range, checked: a bad one is the caller's error, said plainly. */
public record TimeRange(Instant from, Instant to) {

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
