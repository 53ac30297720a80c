package io.tiltfleet.safety.alerts;

import org.bson.Document;
import org.reactivestreams.Publisher;
import org.springframework.data.mongodb.core.mapping.event.ReactiveBeforeSaveCallback;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Gives every stored alert a {@value #FIELD}: {@code "open"} while it is open, its own id once closed.
 * A unique index over table, type and slot then lets MongoDB itself refuse a second open alert of a
 * table and type, whoever writes it (a partial index would say it more directly, but the MongoDB
 * stand-in of the local run and the tests has none).
 */
@Component
class OpenAlertSlot implements ReactiveBeforeSaveCallback<Alert> {

    static final String FIELD = "openSlot";
    static final String OPEN = "open";

    @Override
    public Publisher<Alert> onBeforeSave(Alert alert, Document document, String collection) {
        document.put(FIELD, slotOf(alert));
        return Mono.just(alert);
    }

    static String slotOf(Alert alert) {
        return AlertStore.OPEN.contains(alert.state()) ? OPEN : alert.id();
    }
}
