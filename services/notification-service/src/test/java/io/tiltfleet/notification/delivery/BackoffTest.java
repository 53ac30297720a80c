package io.tiltfleet.notification.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

    final Backoff backoff = new Backoff(Duration.ofSeconds(2), Duration.ofMinutes(5), 10);

    @Test
    void pausesDoubleFromTheInitialUpToTheMaximum() {
        assertThat(backoff.after(1)).isEqualTo(Duration.ofSeconds(2));
        assertThat(backoff.after(2)).isEqualTo(Duration.ofSeconds(4));
        assertThat(backoff.after(7)).isEqualTo(Duration.ofSeconds(128));
        assertThat(backoff.after(8)).isEqualTo(Duration.ofSeconds(256));
        assertThat(backoff.after(9)).isEqualTo(Duration.ofMinutes(5));   // 512 s is past the maximum
    }

    @Test
    void theLastAttemptHasNoPauseAfterIt() {
        assertThat(backoff.after(10)).isNull();
    }

    @Test
    void aHugeAttemptNumberNeverOverflows() {
        assertThat(new Backoff(Duration.ofSeconds(2), Duration.ofMinutes(5), 1000).after(500)).isEqualTo(Duration.ofMinutes(5));
    }
}
