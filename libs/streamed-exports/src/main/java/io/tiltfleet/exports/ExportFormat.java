package io.tiltfleet.exports;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.springframework.http.MediaType;
import tools.jackson.databind.json.JsonMapper;

/** The file formats of exports: RFC 4180 CSV with a header row, or one JSON object per line. */
public enum ExportFormat {
    CSV("csv", new MediaType("text", "csv", StandardCharsets.UTF_8)) {
        @Override
        <T> byte[] header(List<Column<T>> columns) {
            return csv(printer -> printer.printRecord(columns.stream().map(Column::name)));
        }

        @Override
        <T> byte[] rows(List<Column<T>> columns, List<T> rows, JsonMapper json) {
            return csv(printer -> {
                for (T row : rows) {
                    printer.printRecord(columns.stream().map(column -> plain(column.value().apply(row))));
                }
            });
        }
    },
    NDJSON("ndjson", MediaType.APPLICATION_NDJSON) {
        @Override
        <T> byte[] header(List<Column<T>> columns) {
            return new byte[0];
        }

        @Override
        <T> byte[] rows(List<Column<T>> columns, List<T> rows, JsonMapper json) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(rows.size() * 400);
            for (T row : rows) {
                Map<String, Object> object = new LinkedHashMap<>();
                columns.forEach(column -> object.put(column.name(), column.value().apply(row)));
                bytes.writeBytes(json.writeValueAsBytes(object));
                bytes.write('\n');
            }
            return bytes.toByteArray();
        }
    };

    private static final CSVFormat RFC_4180 = CSVFormat.RFC4180.builder().setNullString("").get();

    private final String extension;
    private final MediaType mediaType;

    ExportFormat(String extension, MediaType mediaType) {
        this.extension = extension;
        this.mediaType = mediaType;
    }

    abstract <T> byte[] header(List<Column<T>> columns);

    /** A chunk of rows, as the bytes of the file. */
    abstract <T> byte[] rows(List<Column<T>> columns, List<T> rows, JsonMapper json);

    public String extension() {
        return extension;
    }

    public MediaType mediaType() {
        return mediaType;
    }

    private interface Printing {
        void print(CSVPrinter printer) throws IOException;
    }

    private static byte[] csv(Printing printing) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(8192);
        try (Writer writer = new OutputStreamWriter(bytes, StandardCharsets.UTF_8); CSVPrinter printer = new CSVPrinter(writer, RFC_4180)) {
            printing.print(printer);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write CSV to memory", e);
        }
        return bytes.toByteArray();
    }

    /**
     * A decimal without trailing zeros; text a spreadsheet would take for a formula (=, +, -, @, a tab or a carriage
     * return first) kept as text by a leading apostrophe, in CSV only: NDJSON is read by programs, which take it as it is.
     */
    private static Object plain(Object value) {
        if (value instanceof BigDecimal decimal) {
            return decimal.stripTrailingZeros().toPlainString();
        }
        if (value instanceof String text && !text.isEmpty() && "=+-@\t\r".indexOf(text.charAt(0)) >= 0) {
            return "'" + text;
        }
        return value;
    }
}
