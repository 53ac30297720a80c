package io.tiltfleet.notification.channels;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A table's place comes from its fleet's registry, typed by people: in Slack and Teams it stays text, never markup. */
class MessagesTest {

    private static final Instant NOW = Instant.parse("2026-12-03T10:00:00Z");

    @Test
    void aPlaceWithMarkupMentionsNobodyAndLinksNowhere() {
        Notification hostile = new Notification("a-1:1:ops:0", "a-1", "clinic", "t-1", "OVER_ANGLE", "CRITICAL", "ACTIVE_UNACKNOWLEDGED",
                "angle 80 > 60", NOW, 1, 0, "https://tiltfleet.example/api/notifications/ack/x", NOW,
                "<!channel> <https://evil.example|Acknowledge> [here](https://evil.example)");

        String slack = Messages.slack(hostile).toString();
        String teams = Messages.teams(hostile).toString();

        assertThat(slack).contains("&lt;!channel&gt; &lt;https://evil.example|Acknowledge&gt;", "angle 80 &gt; 60")
                .doesNotContain("<!channel>", "<https://evil.example");
        assertThat(teams).contains("&lt;!channel&gt;", "\\[here\\](https://evil.example)").doesNotContain("[here](");
    }
}
