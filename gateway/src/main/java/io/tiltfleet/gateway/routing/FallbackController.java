package io.tiltfleet.gateway.routing;

import io.tiltfleet.gateway.ProblemResponses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/** Where a route's circuit breaker sends a request its service could not answer: a 503 that names the service. */
@RestController
class FallbackController {

    private static final Logger log = LoggerFactory.getLogger(FallbackController.class);

    @RequestMapping("/fallback/{service}")
    Mono<Void> unavailable(@PathVariable String service, ServerWebExchange exchange) {
        Throwable cause = exchange.getAttribute(ServerWebExchangeUtils.CIRCUITBREAKER_EXECUTION_EXCEPTION_ATTR);
        log.warn("{} did not answer {}: {}", service, exchange.getRequest().getPath(), cause == null ? "circuit open" : cause.toString());
        exchange.getResponse().getHeaders().set(HttpHeaders.RETRY_AFTER, "10");
        return ProblemResponses.write(exchange, HttpStatus.SERVICE_UNAVAILABLE,
                "the " + service + " is not answering; try again in a few seconds");
    }
}
