package io.tiltfleet.contract;

/**
 * Why a device message was refused.
 *
 * @param field  the payload field at fault ({@code angleDeg}), or {@code $} for the message as a whole
 * @param rule   the rule it broke; low cardinality, used as a metric tag
 * @param detail a sentence a person can act on
 */
public record RejectReason(String field, Rule rule, String detail) {

    public static final String WHOLE_MESSAGE = "$";

    public enum Rule {
        PAYLOAD_TOO_LARGE,
        INVALID_TOPIC,
        NOT_UTF8,
        MALFORMED_JSON,
        UNSUPPORTED_SCHEMA,
        MISSING_FIELD,
        WRONG_TYPE,
        OUT_OF_RANGE,
        INVALID_FORMAT,
        INVALID_VALUE,
        ID_MISMATCH
    }
}
