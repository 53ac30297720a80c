package io.tiltfleet.systemtests.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiltfleet.contract.KafkaTopic;
import io.tiltfleet.contract.TopicCatalogue;
import io.tiltfleet.contract.Topics;
import io.tiltfleet.embedded.KafkaBroker;
import io.tiltfleet.embedded.ManagedProcess;
import io.tiltfleet.embedded.SharedBrokers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

/**
 * {@code infra/kafka}: the topic list is the contract's {@link TopicCatalogue}, topic for topic and setting for setting,
 * and its script creates them as listed on a real broker.
 */
class KafkaTopicsTest {

    record Listed(String name, int partitions, String retentionMs, String cleanupPolicy) {

        static Listed of(KafkaTopic topic) {
            Map<String, String> configs = topic.configs();
            return new Listed(topic.name(), topic.partitions(), configs.get("retention.ms"), configs.get("cleanup.policy"));
        }
    }

    @Test
    void theTopicListHasExactlyTheTopicsOfTheCatalogueWithTheirSettings() {
        List<Listed> catalogue = TopicCatalogue.ALL.stream().map(Listed::of).toList();
        assertThat(listed()).as("infra/kafka/topics.conf against TopicCatalogue").containsExactlyInAnyOrderElementsOf(catalogue);
    }

    @Test
    void theScriptCreatesEachTopicWithItsPartitionsAndRetentionAndCanRunAgain() throws Exception {
        try (KafkaBroker kafka = KafkaBroker.start(SharedBrokers.scratchDirectory("kafka-topics"))) {
            Path kafkaTopics = topicCommand();
            runScript(kafka.bootstrapServers(), kafkaTopics);
            runScript(kafka.bootstrapServers(), kafkaTopics);

            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                List<Listed> listed = listed();
                Map<String, TopicDescription> topics = admin.describeTopics(listed.stream().map(Listed::name).toList()).allTopicNames().get();
                Map<ConfigResource, Config> configs = admin.describeConfigs(listed.stream()
                        .map(topic -> new ConfigResource(ConfigResource.Type.TOPIC, topic.name())).toList()).all().get();
                for (Listed topic : listed) {
                    assertThat(topics.get(topic.name()).partitions()).as(topic.name()).hasSize(topic.partitions());
                    Config config = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, topic.name()));
                    assertThat(config.get("retention.ms").value()).as(topic.name()).isEqualTo(topic.retentionMs());
                    assertThat(config.get("cleanup.policy").value()).as(topic.name()).isEqualTo(topic.cleanupPolicy());
                }
            }
        }
    }

    static List<Listed> listed() {
        return Repository.read("infra/kafka/topics.conf").lines()
                .filter(line -> !line.isBlank() && !line.startsWith("#"))
                .map(line -> line.trim().split("\\s+"))
                .map(columns -> new Listed(columns[0], Integer.parseInt(columns[1]), columns[2], columns[3]))
                .toList();
    }

    /** What kafka-topics.sh runs, from this test's class path: the script calls it as $KAFKA_TOPICS. */
    private static Path topicCommand() throws IOException {
        Path command = SharedBrokers.scratchDirectory("kafka-topics-bin").resolve("kafka-topics.sh");
        Files.createDirectories(command.getParent());
        Files.writeString(command, "#!/usr/bin/env bash\nexec '%s' -cp '%s' org.apache.kafka.tools.TopicCommand \"$@\"\n"
                .formatted(Path.of(System.getProperty("java.home"), "bin", "java"), System.getProperty("java.class.path")));
        Files.setPosixFilePermissions(command, PosixFilePermissions.fromString("rwxr-xr-x"));
        return command;
    }

    private static void runScript(String bootstrap, Path kafkaTopics) throws IOException {
        Path log = SharedBrokers.scratchDirectory("kafka-topics-run").resolve("create-topics.log");
        ManagedProcess run = ManagedProcess.start("create-topics.sh", Arrays.asList("env", "BOOTSTRAP=" + bootstrap,
                "KAFKA_TOPICS=" + kafkaTopics, "bash", Repository.file("infra/kafka/create-topics.sh").toString()), log);
        run.awaitSuccess(Duration.ofSeconds(120));
        assertThat(Files.readString(log)).contains("topic " + Topics.SAFETY_ALERTS + ": " + TopicCatalogue.SAFETY_ALERTS.partitions() + " partitions");
    }
}
