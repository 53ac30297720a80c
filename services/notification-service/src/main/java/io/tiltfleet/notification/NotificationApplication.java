package io.tiltfleet.notification;

import java.util.Map;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class NotificationApplication {

    /** Its configuration is notification-service.yml, so that services started side by side in one JVM keep their own. */
    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(NotificationApplication.class).properties(Map.of("spring.config.name", "notification-service"));
    }

    public static void main(String[] args) {
        builder().run(args);
    }
}
