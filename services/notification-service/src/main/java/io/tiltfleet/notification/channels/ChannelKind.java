package io.tiltfleet.notification.channels;

/** How a channel is reached. */
public enum ChannelKind {
    WEBHOOK, SLACK, TEAMS, EMAIL;

    /** Whether the channel is an HTTP endpoint (its {@code url}), as opposed to e-mail recipients. */
    public boolean http() {
        return this != EMAIL;
    }
}
