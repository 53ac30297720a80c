package io.tiltfleet.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.core.log.LogMessage;

/**
 * Spring Security logs each request matcher it tries at debug level through Commons Logging, as a message rendered
 * only when written: on every request through the gateway. Commons Logging's own SLF4J adapter rendered it anyway
 * (about 3% of the gateway's processor); every module with Spring logs through jcl-over-slf4j instead (the root pom),
 * which does not.
 */
class DisabledDebugLogTest {

    @Test
    void aDebugMessageIsNotRenderedWhileDebugIsOff() {
        String name = DisabledDebugLogTest.class.getName();
        ((Logger) LoggerFactory.getLogger(name)).setLevel(Level.WARN);
        Log log = LogFactory.getLog(name);
        AtomicInteger rendered = new AtomicInteger();

        log.debug(LogMessage.of(() -> "rendered " + rendered.incrementAndGet() + " times"));
        log.warn(LogMessage.of(() -> "rendered " + rendered.incrementAndGet() + " times"));

        assertThat(rendered).as("only the warning is rendered").hasValue(1);
    }
}
