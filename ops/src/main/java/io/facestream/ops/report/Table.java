package io.facestream.ops.report;

import io.facestream.core.json.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A result table, as every {@code bench} and {@code eval} command prints it and writes it with {@code --json FILE}.
 * Cells are kept as given (numbers stay numbers in JSON); text output right-aligns numbers.
 */
public final class Table {
    private final String title;
    private final List<String> columns;
    private final List<List<Object>> rows = new ArrayList<>();
    private final Map<String, Object> notes = new LinkedHashMap<>();

    public Table(String title, String... columns) {
        this.title = title;
        this.columns = List.of(columns);
    }

    public Table row(Object... cells) {
        if (cells.length != columns.size()) {
            throw new IllegalArgumentException(
                    "table '" + title + "' has " + columns.size() + " columns, row has " + cells.length);
        }
        rows.add(java.util.Arrays.asList(cells));
        return this;
    }

    /** A key/value printed under the table and kept in the JSON (machine, versions, ratios). */
    public Table note(String key, Object value) {
        notes.put(key, value);
        return this;
    }

    public List<List<Object>> rows() {
        return rows;
    }

    public void print(PrintStream out) {
        List<List<String>> text = new ArrayList<>();
        text.add(columns);
        for (List<Object> r : rows) {
            text.add(r.stream().map(Table::format).toList());
        }
        int[] width = new int[columns.size()];
        for (List<String> r : text) {
            for (int i = 0; i < r.size(); i++) {
                width[i] = Math.max(width[i], r.get(i).length());
            }
        }
        out.println(title);
        for (int ri = 0; ri < text.size(); ri++) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < width.length; i++) {
                String cell = text.get(ri).get(i);
                boolean numeric = ri > 0 && rows.get(ri - 1).get(i) instanceof Number;
                sb.append(i == 0 ? "| " : " | ");
                sb.append(
                        numeric
                                ? " ".repeat(width[i] - cell.length()) + cell
                                : cell + " ".repeat(width[i] - cell.length()));
            }
            out.println(sb.append(" |"));
            if (ri == 0) {
                StringBuilder sep = new StringBuilder();
                for (int i = 0; i < width.length; i++) {
                    sep.append(i == 0 ? "|-" : "-|-").append("-".repeat(width[i]));
                }
                out.println(sep.append("-|"));
            }
        }
        notes.forEach((k, v) -> out.println("  " + k + ": " + format(v)));
    }

    public Map<String, Object> toJson() {
        List<Map<String, Object>> jsonRows = new ArrayList<>();
        for (List<Object> r : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (int i = 0; i < columns.size(); i++) {
                m.put(columns.get(i), r.get(i));
            }
            jsonRows.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("title", title);
        out.put("rows", jsonRows);
        out.put("notes", notes);
        return out;
    }

    /** Writes one or more tables as JSON ({@code {"tables": [...]}}) when {@code file} is not null. */
    public static void writeJson(Path file, List<Table> tables) {
        if (file == null) {
            return;
        }
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            Json.mapper()
                    .writerWithDefaultPrettyPrinter()
                    .writeValue(
                            file.toFile(),
                            Map.of("tables", tables.stream().map(Table::toJson).toList()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    static String format(Object v) {
        if (v == null) {
            return "-";
        }
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (d != 0 && Math.abs(d) < 0.01) {
                return String.format("%.2e", d);
            }
            return Math.abs(d) >= 100 ? String.format("%.1f", d) : String.format("%.3f", d);
        }
        return v.toString();
    }
}
