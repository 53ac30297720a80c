package io.tiltfleet.exports;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import reactor.core.publisher.Flux;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns a stream of documents into the bytes of an export file, a chunk of rows at a time. Rows
 * are pulled from the MongoDB cursor only as fast as the client reads, so memory holds a chunk or
 * two whatever the export's size, and no thread waits on either side. Counted in
 * {@code <metrics>.rows} and timed in {@code <metrics>.duration}, tagged by kind and format.
 */
public class StreamedExports {

    private static final Logger log = LoggerFactory.getLogger(StreamedExports.class);

    private final JsonMapper json;
    private final MeterRegistry registry;
    private final String rowsMetric;
    private final String durationMetric;
    private final DataBufferFactory buffers = DefaultDataBufferFactory.sharedInstance;

    /** @param metrics the prefix of the metrics, e.g. {@code tiltfleet.analytics.export} */
    public StreamedExports(JsonMapper json, MeterRegistry registry, String metrics) {
        this.json = json;
        this.registry = registry;
        this.rowsMetric = metrics + ".rows";
        this.durationMetric = metrics + ".duration";
    }

    public <T> Flux<DataBuffer> write(String kind, ExportFormat format, List<Column<T>> columns, Flux<T> rows, int chunkRows) {
        Counter written = Counter.builder(rowsMetric).description("Rows written to exports").tag("kind", kind).tag("format", format.extension())
                .register(registry);
        Timer.Sample started = Timer.start(registry);
        AtomicLong count = new AtomicLong();
        Flux<DataBuffer> body = rows.buffer(chunkRows).map(chunk -> {
            byte[] bytes = format.rows(columns, chunk, json);
            written.increment(chunk.size());
            count.addAndGet(chunk.size());
            return buffers.wrap(bytes);
        });
        return Flux.just(buffers.wrap(format.header(columns))).concatWith(body)
                .doFinally(signal -> {
                    long nanos = started.stop(Timer.builder(durationMetric).description("Time to write an export").tag("kind", kind)
                            .tag("format", format.extension()).tag("outcome", signal.name()).register(registry));
                    log.info("{} export ({}): {} rows in {} ms, {}", kind, format.extension(), count.get(), nanos / 1_000_000, signal);
                });
    }
}
