package io.tiltfleet.bench;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tiltfleet.embedded.MosquittoBroker;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The benchmarks count a message as the platform's once the broker acknowledged it: each must arrive, each table's in order. */
class LoadConnectionsTest {

    private static final int TABLES = 20;
    private static final int PER_TABLE = 250;

    @Test
    void everyAcknowledgedMessageArrivesAndEachTableKeepsItsOrder() throws Exception {
        try (MosquittoBroker mqtt = MosquittoBroker.start(Files.createTempDirectory("load-connections"))) {
            Map<String, List<Integer>> arrived = new ConcurrentHashMap<>();
            try (LoadConnections subscriber = LoadConnections.subscribe(mqtt.uri(), "test-subscriber", "test/+",
                    payload -> {
                        String[] tableAndSeq = new String(payload, UTF_8).split(":");
                        arrived.computeIfAbsent(tableAndSeq[0], table -> new CopyOnWriteArrayList<>()).add(Integer.parseInt(tableAndSeq[1]));
                    });
                 LoadConnections publishers = LoadConnections.connect(mqtt.uri(), "test-publisher", 4)) {
                List<CompletableFuture<Void>> acknowledged = new ArrayList<>();
                for (int seq = 1; seq <= PER_TABLE; seq++) {
                    for (int table = 0; table < TABLES; table++) {
                        acknowledged.add(publishers.publish(table, "test/" + table, ("table-" + table + ":" + seq).getBytes(UTF_8)));
                    }
                }
                CompletableFuture.allOf(acknowledged.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

                await().atMost(30, TimeUnit.SECONDS)
                        .until(() -> arrived.values().stream().mapToInt(List::size).sum() == TABLES * PER_TABLE);
                assertThat(arrived).hasSize(TABLES).allSatisfy((table, seqs) ->
                        assertThat(seqs).isSortedAccordingTo(Integer::compare).hasSize(PER_TABLE));
                assertThat(LoadConnections.processorTime()).isPositive();
            }
        }
    }
}
