package io.facestream.eval.ijbs.protocol;

import java.nio.file.Path;
import java.util.List;

/** One data row of a protocol CSV, with where it came from so that every complaint can point at it. */
record CsvRow(Path file, int line, List<String> fields) {

    String field(int index, String name) {
        if (index >= fields.size()) {
            throw fail("has " + fields.size() + " column(s), column " + index + " (" + name + ") is missing");
        }
        String value = fields.get(index);
        if (value.isEmpty()) {
            throw fail("column " + index + " (" + name + ") is empty");
        }
        return value;
    }

    int subject(int index) {
        String value = field(index, "SUBJECT_ID");
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw fail("subject id '" + value + "' is not an integer");
        }
    }

    Media media(int index) {
        try {
            return Media.parse(field(index, "FILENAME"));
        } catch (ProtocolFileException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw fail(e.getMessage());
        }
    }

    ProtocolFileException fail(String reason) {
        return new ProtocolFileException(file, line, reason);
    }
}
