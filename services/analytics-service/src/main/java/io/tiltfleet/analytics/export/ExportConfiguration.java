package io.tiltfleet.analytics.export;

import io.micrometer.core.instrument.MeterRegistry;
import io.tiltfleet.exports.StreamedExports;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

@Configuration(proxyBeanMethods = false)
class ExportConfiguration {

    @Bean
    StreamedExports streamedExports(JsonMapper json, MeterRegistry registry) {
        return new StreamedExports(json, registry, "tiltfleet.analytics.export");
    }
}
