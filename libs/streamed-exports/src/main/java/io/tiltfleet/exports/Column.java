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

}
