package io.facestream.eval.ijbs.protocol;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An IJB-S protocol CSV: comma-separated, first line a header (skipped, as the reference does), no quoting.
 * Blank lines carry nothing and are skipped; every other line becomes a {@link CsvRow} with its line number.
 */
record ProtocolCsv(Path file, List<String> header, List<CsvRow> rows) {

    static ProtocolCsv read(Path folder, String relative) {
        Path file = folder.resolve(relative);
        if (!Files.isRegularFile(file)) {
            throw new ProtocolFileException(
                    file,
                    0,
                    "missing protocol file (an IJB-S protocol folder holds " + relative + ", see docs/evaluation.md)");
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read protocol file " + file, e);
        }
        if (lines.isEmpty()) {
            throw new ProtocolFileException(file, 0, "empty file: expected a header line");
        }
        List<String> header = split(lines.get(0));
        List<CsvRow> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            if (!lines.get(i).isBlank()) {
                rows.add(new CsvRow(file, i + 1, split(lines.get(i))));
            }
        }
        return new ProtocolCsv(file, header, rows);
    }

    /** Index of a header column (case-insensitive, any of the names), or -1. */
    int column(String... names) {
        for (int i = 0; i < header.size(); i++) {
            for (String n : names) {
                if (header.get(i).equalsIgnoreCase(n)) {
                    return i;
                }
            }
        }
        return -1;
    }

    private static List<String> split(String line) {
        String clean = line.startsWith("\uFEFF") ? line.substring(1) : line;
        return Arrays.stream(clean.split(",", -1)).map(String::strip).toList();
    }
}
