package io.tiltfleet.safety.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyMap;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.tiltfleet.contract.Topics;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.internals.AutoOffsetResetStrategy;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.internals.KafkaFutureImpl;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

class BrokerLookTest {

    private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");
    private static final TopicPartition READINGS_0 = new TopicPartition(Topics.TELEMETRY_READINGS, 0);
    private static final TopicPartition READINGS_1 = new TopicPartition(Topics.TELEMETRY_READINGS, 1);
    private static final TopicPartition STATUS_0 = new TopicPartition(Topics.TABLE_STATUS, 0);

    private final MockConsumer<String, byte[]> consumer = new MockConsumer<>(AutoOffsetResetStrategy.EARLIEST.name());

    @Test
    void theLagIsTheBrokersEndLessWhatWasHandedOverWithUnreadStatusesCountedAgainstEveryReadingsPartition() {
        // Given a consumer handed over readings up to offset 100 and 40 of partitions whose ends are 100 and 45, and one status unread
        assign(Map.of(READINGS_0, 100L, READINGS_1, 40L, STATUS_0, 7L));
        consumer.updateEndOffsets(Map.of(READINGS_0, 100L, READINGS_1, 45L, STATUS_0, 8L));

        // When the broker is asked
        BrokerLook.Look look = new BrokerLook(Clock.fixed(NOW, ZoneOffset.UTC), answeredAtOnce()).take(consumer);

        // Then
        assertThat(look.at()).isEqualTo(NOW);
        assertThat(look.readingsLag()).containsExactlyInAnyOrderEntriesOf(Map.of(0, OptionalLong.of(1), 1, OptionalLong.of(6)));
    }

    @Test
    void withinHalfASecondOfTheLastLookTheBrokerIsNotAskedAndTheLastLooksTimeStands() {
        assign(Map.of(READINGS_0, 100L));
        consumer.updateEndOffsets(Map.of(READINGS_0, 100L));
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        BrokerLook broker = new BrokerLook(clock, answeredAtOnce());
        broker.take(consumer);

        // When the end moves on and the next look comes before half a second has passed
        consumer.updateEndOffsets(Map.of(READINGS_0, 150L));
        BrokerLook.Look soon = new BrokerLook(clock, answeredAtOnce()).take(consumer);
        BrokerLook.Look tooSoon = broker.take(consumer);

        // Then only a look of its own may tell the partition is behind: the last one's time stands, with nothing said of any partition
        assertThat(soon.readingsLag()).containsEntry(0, OptionalLong.of(50));
        assertThat(tooSoon).isEqualTo(new BrokerLook.Look(NOW, Map.of()));
    }

    @Test
    void aBrokerThatDoesNotAnswerLeavesEveryPartitionsLagUnknown() {
        assign(Map.of(READINGS_0, 100L, READINGS_1, 40L));
        consumer.updateEndOffsets(Map.of(READINGS_0, 100L, READINGS_1, 40L));
        consumer.setOffsetsException(new TimeoutException("no answer"));

        BrokerLook.Look look = new BrokerLook(Clock.fixed(NOW, ZoneOffset.UTC), answeredAtOnce()).take(consumer);

        assertThat(look.readingsLag()).containsExactlyInAnyOrderEntriesOf(Map.of(0, OptionalLong.empty(), 1, OptionalLong.empty()));
    }

    @Test
    void aBatchDoesNotWaitForTheBrokerAndALaterOneTakesTheAnswerAsTheLookOfWhenItWasAsked() {
        assign(Map.of(READINGS_0, 100L));
        CompletableFuture<Map<TopicPartition, Long>> answer = new CompletableFuture<>();
        BrokerLook broker = new BrokerLook(Clock.fixed(NOW, ZoneOffset.UTC), partitions -> answer);

        // When a batch comes before the broker has answered
        BrokerLook.Look beforeTheAnswer = broker.take(consumer);

        // Then it goes on with nothing said of any partition
        assertThat(beforeTheAnswer).isEqualTo(new BrokerLook.Look(Instant.EPOCH, Map.of()));

        // When the broker answers 150, and the next batch has handed over up to 150
        answer.complete(Map.of(READINGS_0, 150L));
        consumer.seek(READINGS_0, 150L);
        BrokerLook.Look afterTheAnswer = broker.take(consumer);

        // Then the partition was read to its end at the time the question was asked
        assertThat(afterTheAnswer).isEqualTo(new BrokerLook.Look(NOW, Map.of(0, OptionalLong.of(0))));
    }

    @Test
    void aPollThatFoundNothingWaitsForTheBrokersAnswer() {
        assign(Map.of(READINGS_0, 100L));
        CompletableFuture<Map<TopicPartition, Long>> answer = new CompletableFuture<>();
        BrokerLook broker = new BrokerLook(Clock.fixed(NOW, ZoneOffset.UTC), partitions -> answer);
        CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS).execute(() -> answer.complete(Map.of(READINGS_0, 130L)));

        BrokerLook.Look look = broker.takeWaiting(consumer);

        assertThat(look).isEqualTo(new BrokerLook.Look(NOW, Map.of(0, OptionalLong.of(30))));
    }

    @Test
    void aLookWhoseBatchFailedIsAskedForAgainAtOnceAndTheNextBatchWaitsForTheAnswer() {
        assign(Map.of(READINGS_0, 100L));
        List<CompletableFuture<Map<TopicPartition, Long>>> questions = new CopyOnWriteArrayList<>();
        BrokerLook broker = new BrokerLook(Clock.fixed(NOW, ZoneOffset.UTC), partitions -> {
            CompletableFuture<Map<TopicPartition, Long>> question = new CompletableFuture<>();
            questions.add(question);
            return question;
        });
        broker.take(consumer);
        questions.get(0).complete(Map.of(READINGS_0, 100L));
        assertThat(broker.take(consumer)).isEqualTo(new BrokerLook.Look(NOW, Map.of(0, OptionalLong.of(0))));

        // When the batch that took that look fails, and the broker answers the next question 100 ms later
        broker.forgetLastLook();
        CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS).execute(() -> questions.get(1).complete(Map.of(READINGS_0, 120L)));

        // Then the next batch asks again though half a second has not passed, and waits for the answer: never a time older than the rules had
        assertThat(broker.take(consumer)).isEqualTo(new BrokerLook.Look(NOW, Map.of(0, OptionalLong.of(20))));
        assertThat(questions).hasSize(2);
    }

    @Test
    void aBrokerThatCannotEvenBeAskedLeavesEveryPartitionsLagUnknown() {
        assign(Map.of(READINGS_0, 100L));
        BrokerLook broker = new BrokerLook(Clock.fixed(NOW, ZoneOffset.UTC), partitions -> {
            throw new KafkaException("the admin client is closed");
        });

        assertThat(broker.take(consumer).readingsLag()).containsExactly(Map.entry(0, OptionalLong.empty()));
    }

    @Test
    void anAdminClientIsAskedForTheLatestOffsetsWithARequestThatExpiresWithTheWait() {
        Admin admin = mock(Admin.class);
        when(admin.listOffsets(anyMap(), any(ListOffsetsOptions.class))).thenReturn(new ListOffsetsResult(Map.of(
                READINGS_0, KafkaFuture.completedFuture(new ListOffsetsResult.ListOffsetsResultInfo(120, -1, Optional.empty())))));

        Map<TopicPartition, Long> ends = BrokerLook.askedBy(admin).of(Set.of(READINGS_0)).join();

        assertThat(ends).containsExactly(Map.entry(READINGS_0, 120L));
        @SuppressWarnings("unchecked")
        ArgumentCaptor<Map<TopicPartition, OffsetSpec>> asked = ArgumentCaptor.forClass(Map.class);
        ArgumentCaptor<ListOffsetsOptions> options = ArgumentCaptor.forClass(ListOffsetsOptions.class);
        verify(admin).listOffsets(asked.capture(), options.capture());
        assertThat(asked.getValue()).containsOnlyKeys(READINGS_0).allSatisfy((partition, spec) -> assertThat(spec).isInstanceOf(OffsetSpec.LatestSpec.class));
        assertThat(options.getValue().timeoutMs()).isEqualTo(2_000);
    }

    @Test
    void anAdminClientThatFailsLeavesEveryPartitionsLagUnknown() {
        Admin admin = mock(Admin.class);
        KafkaFutureImpl<ListOffsetsResult.ListOffsetsResultInfo> failed = new KafkaFutureImpl<>();
        failed.completeExceptionally(new TimeoutException("no leader"));
        when(admin.listOffsets(anyMap(), any(ListOffsetsOptions.class))).thenReturn(new ListOffsetsResult(Map.of(READINGS_0, failed)));
        assign(Map.of(READINGS_0, 100L));

        BrokerLook.Look look = new BrokerLook(Clock.fixed(NOW, ZoneOffset.UTC), BrokerLook.askedBy(admin)).take(consumer);

        assertThat(look.readingsLag()).containsExactly(Map.entry(0, OptionalLong.empty()));
    }

    /** End offsets as the mock consumer knows them, answered at once. */
    private BrokerLook.EndOffsets answeredAtOnce() {
        return partitions -> {
            try {
                return CompletableFuture.completedFuture(consumer.endOffsets(partitions));
            } catch (KafkaException noAnswer) {
                return CompletableFuture.failedFuture(noAnswer);
            }
        };
    }

    private void assign(Map<TopicPartition, Long> positions) {
        consumer.assign(List.copyOf(positions.keySet()));
        positions.forEach(consumer::seek);
    }
}
