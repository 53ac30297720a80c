package io.tiltfleet.gateway;

import java.util.Map;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class GatewayApplication {

    /** Its configuration is gateway.yml, so that it can run beside the services in one JVM (the end-to-end test). */
    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(GatewayApplication.class).properties(Map.of("spring.config.name", "gateway"));
    }

    public static void main(String[] args) {
        builder().run(args);
    }
}
