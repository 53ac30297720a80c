package io.tiltfleet.ingest;

import java.util.Map;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class IngestApplication {

    /** Its configuration is ingest-service.yml, so that services started side by side in one JVM keep their own. */
    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(IngestApplication.class).properties(Map.of("spring.config.name", "ingest-service"));
    }

    public static void main(String[] args) {
        builder().run(args);
    }
}
