package io.tiltfleet.analytics.export;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.function.Function;

/**
 * One column of an export: its name (the CSV header and the NDJSON key) and how a row gives its
 * value. Decimal numbers are rounded to three decimals.
 */
record Column<T>(String name, Function<T, Object> value) {

    static <T> Column<T> of(String name, Function<T, Object> value) {
        return new Column<>(name, value);
    }

    static <T> Column<T> decimal(String name, Function<T, Double> value) {
        return new Column<>(name, row -> BigDecimal.valueOf(value.apply(row)).setScale(3, RoundingMode.HALF_UP));
    }
}
