package io.tiltfleet.safety.intake;

import io.tiltfleet.contract.Topics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How far behind the consumer is, asked of the broker, not of the last fetch. The consumer fetches
 * ahead while a batch is processed and may hand one fetch over in several polls, so the lag it reports
 * (0 included) can be as old as the slowest batches since (MongoDB slow, thousands of new tables): judged
 * by it, tables whose newer readings were waiting in Kafka looked silent. The broker is asked at most
 * every {@link #EVERY}; between looks the rules keep the last one.
 *
 * <p>A batch never waits for the answer: asked when a batch comes, it is taken by a later batch, as the
 * look at the time it was asked (what the broker held then, it held at least when it answered). Waiting
 * stalled the rules 70-80 ms twice a second under load (flight recordings, 5,000 readings/s). A poll that
 * found nothing waits for it: nothing is held up then, and an idle fleet's silence clock stays current;
 * so does the first batch after one that failed ({@link #forgetLastLook}).
 *
 * <p>The end offsets are asked on a connection other than the consumer's: a broker answers one
 * connection's requests in order, and the consumer's next fetch waits there for new records for up to
 * {@code fetch.max.wait.ms} (500 ms by default, 50 ms as configured now). Asked behind it with the
 * default, every look of an idle fleet took about half a second before the batch that raised an alert could run.
 */
final class BrokerLook {

    /** The broker's end offsets of these partitions, asked on a connection of their own. */
    @FunctionalInterface
    interface EndOffsets {

        /** @return the answer to come, failed when the broker does not answer in time */
        CompletableFuture<Map<TopicPartition, Long>> of(Set<TopicPartition> partitions);
    }

    /** A question put to the broker at {@code at}, not yet taken. */
    private record Question(Instant at, CompletableFuture<Map<TopicPartition, Long>> answer) {
    }

    /** The broker's word, and when it was asked: every partition read to its end then has been read up to that time. */
    record Look(Instant at, Map<Integer, OptionalLong> readingsLag) {
    }

    private static final Logger log = LoggerFactory.getLogger(BrokerLook.class);
    static final Duration EVERY = Duration.ofMillis(500);
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final Clock clock;
    private final EndOffsets endOffsets;
    private Look last = new Look(Instant.EPOCH, Map.of());
    private Question asked;
    /** The next look waits for the broker's answer: the last one never reached the rules. */
    private boolean waitForAnswer;
    /** Whether the last look got an answer: a silent broker is logged once, not every look. */
    private boolean answered = true;

    BrokerLook(Clock clock, EndOffsets endOffsets) {
        this.clock = clock;
        this.endOffsets = endOffsets;
    }

    /**
     * End offsets asked of the broker by an admin client, which has connections of its own. The request
     * itself expires with the wait for it, so that closing the client never waits for one still retried.
     */
    static EndOffsets askedBy(Admin admin) {
        ListOffsetsOptions withinTimeout = new ListOffsetsOptions().timeoutMs((int) TIMEOUT.toMillis());
        return partitions -> {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            partitions.forEach(partition -> latest.put(partition, OffsetSpec.latest()));
            return admin.listOffsets(latest, withinTimeout).all().toCompletionStage().toCompletableFuture().thenApply(offsets -> {
                Map<TopicPartition, Long> ends = new HashMap<>();
                offsets.forEach((partition, offset) -> ends.put(partition, offset.offset()));
                return ends;
            });
        };
    }

    /**
     * For a batch, without waiting: per readings partition, the records still to read after what the
     * consumer has handed over, once the broker has answered. Statuses still unread count against every
     * readings partition: a table's next status may be among them. Until then, the last look's time with
     * no lag: what was known then still holds for then.
     */
    Look take(Consumer<?, ?> consumer) {
        return look(consumer, false);
    }

    /** For a poll that found nothing: as {@link #take}, waiting for the broker's answer when a question is out. */
    Look takeWaiting(Consumer<?, ?> consumer) {
        return look(consumer, true);
    }

    private Look look(Consumer<?, ?> consumer, boolean wait) {
        Instant now = clock.instant();
        // a clock set back asks at once rather than waiting until it has caught up again
        if (asked == null && (now.isBefore(last.at()) || Duration.between(last.at(), now).compareTo(EVERY) >= 0)) {
            asked = new Question(now, ask(consumer));
        }
        if (asked == null || !(wait || waitForAnswer || asked.answer().isDone())) {
            return new Look(last.at(), Map.of());
        }
        Question taken = asked;
        asked = null;
        waitForAnswer = false;
        last = new Look(taken.at(), readingsLag(consumer, taken.answer()));
        return last;
    }

    /** A broker that cannot even be asked counts as one that does not answer. */
    private CompletableFuture<Map<TopicPartition, Long>> ask(Consumer<?, ?> consumer) {
        try {
            return endOffsets.of(consumer.assignment());
        } catch (KafkaException | IllegalStateException cannotAsk) {
            return CompletableFuture.failedFuture(cannotAsk);
        }
    }

    /**
     * The last look never reached the rules (their batch failed): the next one asks the broker again, or
     * takes the question still out (its lag is counted when it is taken), and waits for the answer, as
     * every look did before they stopped waiting. Going on by an older look instead could hand the rules
     * a time with nothing known of the partitions since: the EPOCH of a look before the first.
     */
    void forgetLastLook() {
        last = new Look(Instant.EPOCH, Map.of());
        waitForAnswer = true;
    }

    /** Unknown (a backlog, as far as anyone can tell) for every partition when the broker does not answer. */
    private Map<Integer, OptionalLong> readingsLag(Consumer<?, ?> consumer, CompletableFuture<Map<TopicPartition, Long>> answer) {
        Set<TopicPartition> assigned = consumer.assignment();
        Map<Integer, OptionalLong> readings = new HashMap<>();
        OptionalLong statuses = OptionalLong.of(0);
        Map<TopicPartition, Long> ends;
        try {
            ends = endsIn(answer);
            if (!answered) {
                log.info("The broker tells the rules' lag again");
            }
            answered = true;
        } catch (KafkaException e) {
            if (answered) {
                log.warn("The broker does not tell the rules' lag ({}): each partition counts as behind, its time is its newest reading's", e.getMessage());
            }
            answered = false;
            ends = Map.of();
        }
        for (TopicPartition partition : assigned) {
            OptionalLong lag = lag(consumer, partition, ends.get(partition));
            if (partition.topic().equals(Topics.TELEMETRY_READINGS)) {
                readings.put(partition.partition(), lag);
            } else {
                statuses = sum(statuses, lag);
            }
        }
        OptionalLong statusLag = statuses;
        readings.replaceAll((partition, lag) -> sum(lag, statusLag));
        return readings;
    }

    /** @throws KafkaException when the broker did not answer in time */
    private static Map<TopicPartition, Long> endsIn(CompletableFuture<Map<TopicPartition, Long>> answer) {
        try {
            return answer.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException stopping) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted while asking for end offsets", stopping);
        } catch (ExecutionException | TimeoutException noAnswer) {
            throw new KafkaException("no end offsets from the broker", noAnswer);
        }
    }

    private static OptionalLong lag(Consumer<?, ?> consumer, TopicPartition partition, Long end) {
        if (end == null) {
            return OptionalLong.empty();
        }
        try {
            // known at once for a partition read from; one still waiting for its committed offset is a backlog, not a reason to wait
            return OptionalLong.of(Math.max(0, end - consumer.position(partition, Duration.ZERO)));
        } catch (WakeupException stopping) {
            throw stopping;
        } catch (KafkaException e) {
            return OptionalLong.empty();
        }
    }

    private static OptionalLong sum(OptionalLong a, OptionalLong b) {
        return a.isPresent() && b.isPresent() ? OptionalLong.of(a.getAsLong() + b.getAsLong()) : OptionalLong.empty();
    }
}
