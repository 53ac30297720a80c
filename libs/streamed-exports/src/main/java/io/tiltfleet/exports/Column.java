package io.tiltfleet.exports;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.function.Function;

/**
 * One column of an export: its name (the CSV header and the NDJSON key) and how a row gives its
 * value. Decimal numbers are rounded to three decimals.
 */
public record Column<T>(String name, Function<T, Object> value) {

    public static <T> Column<T> of(String name, Function<T, Object> value) {
        return new Column<>(name, value);
    }

    /** A null stays null (an empty cell). */
    public static <T> Column<T> decimal(String name, Function<T, Double> value) {
        return new Column<>(name, row -> {
            Double number = value.apply(row);
            return number == null ? null : BigDecimal.valueOf(number).setScale(3, RoundingMode.HALF_UP);
        });
    }

    /**
     * Free text somebody typed (a reason, a name): one a spreadsheet would take for a formula (=, +, -, @ first)
     * is kept as text by a leading apostrophe.
     */
    public static <T> Column<T> text(String name, Function<T, String> value) {
        return new Column<>(name, row -> {
            String text = value.apply(row);
            return text != null && !text.isEmpty() && "=+-@".indexOf(text.charAt(0)) >= 0 ? "'" + text : text;
        });
    }
}
