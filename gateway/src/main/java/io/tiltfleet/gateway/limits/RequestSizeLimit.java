package io.tiltfleet.gateway.limits;

import io.tiltfleet.gateway.GatewayProperties;
import io.tiltfleet.gateway.ProblemResponses;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Bounds request bodies before anything reads them: a declared length over the limit gets 413, and a
 * body sent without a length (chunked), which could be of any size, gets 411. Both with a problem body
 * saying what to do.
 */
@Component
class RequestSizeLimit implements WebFilter, Ordered {

    private final long maxBytes;

    RequestSizeLimit(GatewayProperties properties) {
        this.maxBytes = properties.maxRequestSize().toBytes();
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        HttpHeaders headers = exchange.getRequest().getHeaders();
        long length = headers.getContentLength();
        if (length > maxBytes) {
            return ProblemResponses.write(exchange, HttpStatus.PAYLOAD_TOO_LARGE,
                    "the request body of " + length + " bytes is over the limit of " + maxBytes + " bytes");
        }
        if (length < 0 && headers.containsHeader(HttpHeaders.TRANSFER_ENCODING)) {
            return ProblemResponses.write(exchange, HttpStatus.LENGTH_REQUIRED,
                    "send the request body with a Content-Length (at most " + maxBytes + " bytes), not chunked");
        }
        return chain.filter(exchange);
    }
}
