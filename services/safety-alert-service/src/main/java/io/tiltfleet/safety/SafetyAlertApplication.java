package io.tiltfleet.safety;

import java.util.Map;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class SafetyAlertApplication {

    /** Its configuration is safety-alert-service.yml, so that services started side by side in one JVM keep their own. */
    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(SafetyAlertApplication.class).properties(Map.of("spring.config.name", "safety-alert-service"));
    }

    public static void main(String[] args) {
        builder().run(args);
    }
}
