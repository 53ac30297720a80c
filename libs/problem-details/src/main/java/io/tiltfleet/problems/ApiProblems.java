package io.tiltfleet.problems;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.beans.TypeMismatchException;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.webflux.autoconfigure.WebFluxAutoConfiguration;
import org.springframework.context.MessageSourceResolvable;
import org.springframework.core.MethodParameter;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseEntity;
import org.springframework.validation.method.ParameterErrors;
import org.springframework.validation.method.ParameterValidationResult;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.bind.support.WebExchangeBindException;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.reactive.result.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;

/**
 * RFC 9457 problem bodies that name what was wrong: the parameter or field, the value, and what is
 * accepted, rather than Spring's generic "Type mismatch." or "Invalid request content.". Every
 * service with an HTTP API gets it by depending on this module; it replaces Boot's own handler,
 * which is only made when no other exists.
 */
@AutoConfiguration(before = WebFluxAutoConfiguration.class)
@RestControllerAdvice
public class ApiProblems extends ResponseEntityExceptionHandler {

    private static final Map<Class<?>, String> EXAMPLES = Map.of(Instant.class, " such as 2026-11-25T10:00:00Z",
            LocalDate.class, " such as 2026-11-25");

    @Override
    protected Mono<ResponseEntity<Object>> handleServerWebInputException(ServerWebInputException ex, HttpHeaders headers,
                                                                         HttpStatusCode status, ServerWebExchange exchange) {
        ex.getBody().setDetail(describe(ex));
        return super.handleServerWebInputException(ex, headers, status, exchange);
    }

    @Override
    protected Mono<ResponseEntity<Object>> handleWebExchangeBindException(WebExchangeBindException ex, HttpHeaders headers,
                                                                          HttpStatusCode status, ServerWebExchange exchange) {
        ex.getBody().setDetail(ex.getFieldErrors().stream()
                .map(error -> error.getField() + ": " + error.getDefaultMessage() + " (was " + error.getRejectedValue() + ")")
                .collect(Collectors.joining("; ")));
        return super.handleWebExchangeBindException(ex, headers, status, exchange);
    }

    @Override
    protected Mono<ResponseEntity<Object>> handleHandlerMethodValidationException(HandlerMethodValidationException ex, HttpHeaders headers,
                                                                                  HttpStatusCode status, ServerWebExchange exchange) {
        ex.getBody().setDetail(ex.getParameterValidationResults().stream().map(ApiProblems::describe).collect(Collectors.joining("; ")));
        return super.handleHandlerMethodValidationException(ex, headers, status, exchange);
    }

    /** A request body's errors name their fields ({@code settings.maxAngleDeg}), a parameter's its name. */
    private static String describe(ParameterValidationResult result) {
        if (result instanceof ParameterErrors errors && errors.hasFieldErrors()) {
            return errors.getFieldErrors().stream().map(error -> error.getField() + ": " + error.getDefaultMessage() + " (was " + error.getRejectedValue() + ")")
                    .collect(Collectors.joining("; "));
        }
        return result.getMethodParameter().getParameterName() + ": "
                + result.getResolvableErrors().stream().map(MessageSourceResolvable::getDefaultMessage).collect(Collectors.joining(", "))
                + " (was " + result.getArgument() + ")";
    }

    private static String describe(ServerWebInputException ex) {
        MethodParameter parameter = ex.getMethodParameter();
        if (ex.getCause() instanceof TypeMismatchException mismatch && parameter != null) {
            Class<?> type = parameter.getParameterType();
            String accepted = type.isEnum()
                    ? "one of " + Arrays.stream(type.getEnumConstants()).map(Object::toString).collect(Collectors.joining(", "))
                    : "a " + type.getSimpleName() + EXAMPLES.getOrDefault(type, "");
            return "parameter '" + parameter.getParameterName() + "' is '" + mismatch.getValue() + "', expected " + accepted;
        }
        Throwable root = ex;
        while (root.getCause() != null) {
            root = root.getCause();
            if (root instanceof JacksonException json && !json.getPath().isEmpty()) {
                return "request body: " + json.getPath().stream()
                        .map(step -> step.getPropertyName() != null ? step.getPropertyName() : "[" + step.getIndex() + "]")
                        .collect(Collectors.joining(".")).replace(".[", "[") + ": " + json.getOriginalMessage().lines().findFirst().orElse("");
            }
        }
        return "request body: " + (root == ex ? ex.getReason() : root.getMessage().lines().findFirst().orElse(""));
    }
}
