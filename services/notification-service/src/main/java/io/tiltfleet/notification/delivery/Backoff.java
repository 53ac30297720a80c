package io.tiltfleet.notification.delivery;

import java.time.Duration;

/**
 * When a failed send is tried again: {@code initial} after the first failure, doubling, at most {@code max} apart,
 * {@code maxAttempts} attempts in all. Computed from the attempt number rather than kept as a running
 * {@code BackOffExecution}, since attempts survive restarts and move between instances in MongoDB.
 */
public record Backoff(Duration initial, Duration max, int maxAttempts) {

    /** The pause after attempt {@code attempt} (from 1) failed, or null when that was the last attempt. */
    public Duration after(int attempt) {
        if (attempt >= maxAttempts) {
            return null;
        }
        int doublings = Math.min(attempt - 1, 30);
        long millis = initial.toMillis() << doublings;
        return millis <= 0 || millis > max.toMillis() ? max : Duration.ofMillis(millis);
    }
}
