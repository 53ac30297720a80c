package io.tiltfleet.retention;

import io.tiltfleet.contract.CallerHeaders;
import io.tiltfleet.contract.Ids;
import jakarta.validation.constraints.Pattern;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A service's share of a fleet's data over HTTP: {@code GET} exports it, {@code DELETE} removes it, for the caller the
 * gateway names, at the path the service's controller maps (a {@code fleetId} variable in it).
 */
public abstract class FleetDataEndpoints {

    private final FleetData data;

    protected FleetDataEndpoints(FleetData data) {
        this.data = data;
    }

    @GetMapping
    public ResponseEntity<Flux<DataBuffer>> export(@PathVariable @Pattern(regexp = Ids.PATTERN) String fleetId,
                                                   @RequestHeader(name = CallerHeaders.CALLER, required = false) String caller) {
        return data.exportFile(fleetId, caller);
    }

    @DeleteMapping
    public Mono<FleetData.Removal> remove(@PathVariable @Pattern(regexp = Ids.PATTERN) String fleetId,
                                          @RequestHeader(name = CallerHeaders.CALLER, required = false) String caller) {
        return data.removeFor(fleetId, caller);
    }
}
