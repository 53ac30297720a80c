package io.tiltfleet.embedded;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A service's Spring Boot application started in the test's JVM on a free port, with the arguments that
 * point it at the test's brokers: the one way every module's tests run a service. What a service needs
 * beyond the brokers (its client id, a profile, a limit) the caller adds with {@link Launch#with}.
 */
public final class RunningService implements AutoCloseable {

    private final ConfigurableApplicationContext context;

    private RunningService(ConfigurableApplicationContext context) {
        this.context = context;
    }

    /** The application as its {@code builder()} configures it, e.g. {@code RunningService.of(IngestApplication.builder())}. */
    public static Launch of(SpringApplicationBuilder application) {
        return new Launch(application);
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    public int port() {
        return context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
    }

    /** Where the service serves /actuator: its own management port if it has one (the gateway), else its server port. */
    public int managementPort() {
        return context.getEnvironment().getProperty("local.management.port", Integer.class, port());
    }

    /** The body of a GET, or an empty string while nothing answers. */
    public String get(String path) {
        return LoopbackHttp.get(port(), path);
    }

    /** A request with a body (none if null) and exactly these headers: its Content-Type, the gateway's caller headers, ... */
    public HttpResponse<String> send(String method, String path, String body, Map<String, String> headers) throws IOException {
        return LoopbackHttp.send(port(), method, path, body, headers);
    }

    @Override
    public void close() {
        context.close();
    }

    /** The arguments of one start: a free port, then the brokers, then whatever else the test adds. */
    public static final class Launch {

        private final SpringApplicationBuilder application;
        private final List<String> arguments = new ArrayList<>(List.of("--server.port=0"));

        private Launch(SpringApplicationBuilder application) {
            this.application = application;
        }

        public Launch kafka(String bootstrapServers) {
            return with("--spring.kafka.bootstrap-servers=" + bootstrapServers);
        }

        /** MongoDB at this URI; its health check is off, since the stand-in lacks the 'hello' command the check sends. */
        public Launch mongo(String uri) {
            return with("--spring.mongodb.uri=" + uri, "--management.health.mongodb.enabled=false");
        }

        public Launch with(String... more) {
            return with(List.of(more));
        }

        public Launch with(List<String> more) {
            arguments.addAll(more);
            return this;
        }

        public RunningService start() {
            return new RunningService(application.run(arguments.toArray(String[]::new)));
        }
    }
}
