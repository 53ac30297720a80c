package io.tiltfleet.notification.channels;

/** How one send went, and what the receiver said (or why nothing answered). */
public record SendResult(Outcome outcome, String detail) {

    public enum Outcome {
        DELIVERED,
        /** worth trying again: 5xx, 408, 429, a timeout, no connection */
        RETRY,
        /** the receiver refused it for good: any other 4xx, a redirect (not followed) */
        PERMANENT
    }

    /** The outcome an HTTP status means. */
    public static SendResult ofStatus(int status) {
        String detail = "HTTP " + status;
        if (status >= 200 && status < 300) {
            return new SendResult(Outcome.DELIVERED, detail);
        }
        if (status >= 500 || status == 408 || status == 429) {
            return new SendResult(Outcome.RETRY, detail);
        }
        return new SendResult(Outcome.PERMANENT, status >= 300 && status < 400 ? detail + " (redirects are not followed)" : detail);
    }
}
