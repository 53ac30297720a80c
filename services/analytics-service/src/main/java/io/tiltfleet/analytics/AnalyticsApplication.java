package io.tiltfleet.analytics;

import java.util.Map;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class AnalyticsApplication {

    /** Its configuration is analytics-service.yml, so that services started side by side in one JVM keep their own. */
    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(AnalyticsApplication.class).properties(Map.of("spring.config.name", "analytics-service"));
    }

    public static void main(String[] args) {
        builder().run(args);
    }
}
