package io.tiltfleet.embedded;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.util.List;
import org.bson.BsonDocument;

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

    /** A client that adds each find command it sends to {@code finds}: for a test of what a query asks for, such as its projection. */
    public MongoClient clientKeepingFinds(String database, List<BsonDocument> finds) {
        return MongoClients.create(MongoClientSettings.builder().applyConnectionString(new ConnectionString(uri(database)))
                .addCommandListener(new CommandListener() {
                    @Override
                    public void commandStarted(CommandStartedEvent event) {
                        if (event.getCommandName().equals("find")) {
                            finds.add(event.getCommand().clone());
                        }
                    }
                }).build());
    }

    @Override
    public void close() {
        server.shutdownNow();
    }
}
