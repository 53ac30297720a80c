package io.tiltfleet.embedded;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;

/**
 * A MongoDB wire-protocol server in this JVM (mongo-java-server, in memory): the real reactive
 * driver talks to it over TCP. Production and the Testcontainers tests use real MongoDB.
 */
public final class MongoStandIn implements AutoCloseable {

    private final MongoServer server;
    private final int port;

    private MongoStandIn(MongoServer server, int port) {
        this.server = server;
        this.port = port;
    }

    public static MongoStandIn start(int port) {
        MongoServer server = new MongoServer(new MemoryBackend());
        server.bind(Ports.LOOPBACK, port);
        return new MongoStandIn(server, port);
    }

    public int port() {
        return port;
    }

    public String uri(String database) {
        return "mongodb://" + Ports.LOOPBACK + ":" + port + "/" + database;
    }

    @Override
    public void close() {
        server.shutdownNow();
    }
}
