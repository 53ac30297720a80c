package io.tiltfleet.contract;

import java.util.regex.Pattern;

/**
 * Fleet, table and session ids: 1-64 characters of {@code [A-Za-z0-9_-]}. Devices, services and the gateway
 * check ids against this one pattern; it never allows a slash, so that {@link TableRef#key()} reads back
 * unambiguously.
 */
public final class Ids {

    /** The pattern as a constant expression, so that annotations such as {@code @Pattern(regexp = ...)} can name it. */
    public static final String PATTERN = "[A-Za-z0-9_-]{1,64}";

    private static final Pattern COMPILED = Pattern.compile(PATTERN);

    private Ids() {
    }

    public static boolean isValid(String id) {
        return id != null && COMPILED.matcher(id).matches();
    }
}
