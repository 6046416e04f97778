package io.facestream.core.testing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The input layout of the fuzz targets that need more than one value: {@code name=value} lines, an empty line, then
 * the body as raw bytes. Values are bytes up to the end of their line (any byte but a newline); a line without
 * {@code =} is a name with a null value. Readable, so a committed corpus file says what it is and a seed is written by
 * hand, and byte-level mutation still reaches every value.
 *
 * <pre>
 * key=cam-1
 * h:fs.seq=12
 *
 * ...JPEG bytes...
 * </pre>
 */
public final class FuzzInput {
    private final List<Map.Entry<String, byte[]>> fields;
    private final byte[] body;

    private FuzzInput(List<Map.Entry<String, byte[]>> fields, byte[] body) {
        this.fields = fields;
        this.body = body;
    }

    public static FuzzInput parse(byte[] data) {
        List<Map.Entry<String, byte[]>> fields = new ArrayList<>();
        int i = 0;
        while (i < data.length) {
            int end = i;
            while (end < data.length && data[end] != '\n') {
                end++;
            }
            if (end == i) { // the empty line: the body follows
                i = end + 1;
                break;
            }
            int eq = i;
            while (eq < end && data[eq] != '=') {
                eq++;
            }
            String name = new String(data, i, eq - i, StandardCharsets.UTF_8);
            byte[] value = null;
            if (eq < end) {
                value = new byte[end - eq - 1];
                System.arraycopy(data, eq + 1, value, 0, value.length);
            }
            fields.add(Map.entry(name, value == null ? NULL : value));
            i = end + 1;
        }
        byte[] body = new byte[Math.max(0, data.length - i)];
        System.arraycopy(data, Math.min(i, data.length), body, 0, body.length);
        return new FuzzInput(fields, body);
    }

    private static final byte[] NULL = new byte[0];

    /** Every field in order; a field without a value has {@code null}. */
    public List<Map.Entry<String, byte[]>> fields() {
        List<Map.Entry<String, byte[]>> out = new ArrayList<>();
        for (Map.Entry<String, byte[]> f : fields) {
            out.add(new java.util.AbstractMap.SimpleImmutableEntry<>(
                    f.getKey(), f.getValue() == NULL ? null : f.getValue()));
        }
        return out;
    }

    /** Whether the field occurs at all (with or without a value). */
    public boolean has(String name) {
        return fields.stream().anyMatch(f -> f.getKey().equals(name));
    }

    /** The last value of a field. */
    public Optional<byte[]> bytes(String name) {
        byte[] found = null;
        for (Map.Entry<String, byte[]> f : fields) {
            if (f.getKey().equals(name) && f.getValue() != NULL) {
                found = f.getValue();
            }
        }
        return Optional.ofNullable(found);
    }

    /** The last value of a field as UTF-8 text. */
    public Optional<String> text(String name) {
        return bytes(name).map(b -> new String(b, StandardCharsets.UTF_8));
    }

    public String text(String name, String fallback) {
        return text(name).orElse(fallback);
    }

    /** The last value of a field as a decimal long; the fallback when absent or not a number. */
    public long number(String name, long fallback) {
        try {
            return text(name).map(s -> Long.parseLong(s.trim())).orElse(fallback);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    /** The last value of a field as a double; the fallback when absent or not a number. */
    public double decimal(String name, double fallback) {
        try {
            return text(name).map(s -> Double.parseDouble(s.trim())).orElse(fallback);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    /** Every value of a field as text, in order (a repeated field is a list). */
    public List<String> texts(String name) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, byte[]> f : fields) {
            if (f.getKey().equals(name) && f.getValue() != NULL) {
                out.add(new String(f.getValue(), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    public byte[] body() {
        return body.clone();
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
