package io.tiltfleet.notification.channels;

import java.util.List;
import java.util.Map;

/** The words of a notification in each channel's own format: Slack blocks, a Teams MessageCard, an e-mail. */
final class Messages {

    private Messages() {
    }

    /** Where to go first: the table's place when its fleet registered it ("Berlin-Mitte, Room 3, Bed 7"), its ids always. */
    static String headline(Notification n) {
        return n.location() == null ? "%s %s: fleet %s, table %s".formatted(n.severity(), n.type(), n.fleetId(), n.tableId())
                : "%s %s: %s (fleet %s, table %s)".formatted(n.severity(), n.type(), n.location(), n.fleetId(), n.tableId());
    }

    private static String lines(Notification n) {
        String reminder = n.sequence() == 0 ? "" : " (reminder " + n.sequence() + ")";
        return "%s\nState: %s. Raised at %s. Escalation tier %d%s.".formatted(n.reason(), n.state(), n.raisedAt(), n.tier(), reminder);
    }

    /**
     * A Slack incoming-webhook body: the text for notifications, blocks for the message itself. The words are Slack's
     * escaped, so that a table's name in the registry cannot mention the channel or hide a link behind other words (a
     * bare address still shows as one).
     */
    static Map<String, Object> slack(Notification n) {
        String text = markupEscaped(headline(n));
        return Map.of("text", text, "blocks", List.of(
                Map.of("type", "section", "text", Map.of("type", "mrkdwn", "text", "*" + text + "*\n" + markupEscaped(lines(n)))),
                Map.of("type", "actions", "elements", List.of(Map.of("type", "button", "text",
                        Map.of("type", "plain_text", "text", "Acknowledge"), "url", n.acknowledgeUrl())))));
    }

    /** A Microsoft Teams incoming-webhook MessageCard with an OpenUri action to the ack link; its words escaped as Slack's are. */
    static Map<String, Object> teams(Notification n) {
        String headline = teamsEscaped(headline(n));
        return Map.of("@type", "MessageCard", "@context", "https://schema.org/extensions", "summary", headline,
                "themeColor", "CRITICAL".equals(n.severity()) ? "D32F2F" : "F9A825", "title", headline,
                "text", teamsEscaped(lines(n)).replace("\n", "<br>"),
                "potentialAction", List.of(Map.of("@type", "OpenUri", "name", "Acknowledge",
                        "targets", List.of(Map.of("os", "default", "uri", n.acknowledgeUrl())))));
    }

    /** The three characters Slack (and Teams' HTML) read as markup, as the entities both show as text. */
    static String markupEscaped(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** Teams also reads Markdown's links. */
    private static String teamsEscaped(String text) {
        return markupEscaped(text).replace("[", "\\[").replace("]", "\\]");
    }

    static String emailSubject(Notification n) {
        return "[TiltFleet] " + headline(n);
    }

    static String emailBody(Notification n) {
        return lines(n) + "\n\nAcknowledge: " + n.acknowledgeUrl() + "\n\nAlert " + n.alertId() + ", notification " + n.idempotencyKey() + ".\n";
    }
}
