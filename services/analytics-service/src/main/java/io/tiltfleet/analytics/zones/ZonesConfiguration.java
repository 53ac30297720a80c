package io.tiltfleet.analytics.zones;

import org.apache.kafka.clients.admin.Admin;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaAdmin;

@Configuration(proxyBeanMethods = false)
class ZonesConfiguration {

    /** Asks how far {@code fleet.config.v1} goes, so that no rollup is cut before the fleets' zones are read. */
    @Bean(destroyMethod = "close")
    Admin fleetZonesAdmin(KafkaAdmin admin) {
        return Admin.create(admin.getConfigurationProperties());
    }
}
