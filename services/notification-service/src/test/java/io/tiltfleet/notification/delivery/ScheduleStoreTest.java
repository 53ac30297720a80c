package io.tiltfleet.notification.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import com.mongodb.client.result.UpdateResult;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.UpdateDefinition;
import reactor.core.publisher.Mono;

class ScheduleStoreTest {

    final ReactiveMongoTemplate mongo = mock(ReactiveMongoTemplate.class);
    final ScheduleStore store = new ScheduleStore(mongo);

    @Test
    void onlyTheInstanceHoldingTheClaimSettlesIt() {
        when(mongo.updateFirst(any(Query.class), any(UpdateDefinition.class), eq(ScheduledNotification.class)))
                .thenReturn(Mono.just(UpdateResult.acknowledged(0, 0L, null)));

        store.finish("a-1:1:nurse:0", "instance-1", "DELIVERED", 1).block();
        store.retry("a-1:1:nurse:0", "instance-1", 1, Instant.EPOCH).block();

        ArgumentCaptor<Query> queries = ArgumentCaptor.forClass(Query.class);
        verify(mongo, times(2)).updateFirst(queries.capture(), any(UpdateDefinition.class), eq(ScheduledNotification.class));
        assertThat(queries.getAllValues()).allSatisfy(query -> assertThat(query.getQueryObject())
                .containsEntry("_id", "a-1:1:nurse:0").containsEntry("claimedBy", "instance-1"));
    }
}
