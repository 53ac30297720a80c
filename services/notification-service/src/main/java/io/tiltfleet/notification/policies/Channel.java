package io.tiltfleet.notification.policies;

import io.tiltfleet.notification.channels.ChannelKind;
import java.util.List;

/**
 * One way a fleet is told about alerts.
 *
 * @param url        the HTTP endpoint (WEBHOOK, SLACK, TEAMS); null for EMAIL
 * @param secret     the HMAC key of a WEBHOOK's signature; never shown by the API
 * @param recipients the addresses of an EMAIL channel; empty for the others
 */
public record Channel(String id, ChannelKind kind, String url, String secret, List<String> recipients) {
}
