package io.facestream.core.config;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The values a numeric configuration key accepts, declared next to the defaults in each module's
 * {@code META-INF/facestream/ranges.yaml} and checked by {@link FacestreamConfig} for every layer at load.
 *
 * <p>A declaration is a type and a range: {@code integer >= 1}, {@code number (0, 1]}, {@code duration > 0},
 * {@code duration [6s, 30m]}, {@code 3 numbers [0, 1]} (a comma-separated list of exactly three); integers are 32-bit.
 * Ranges are written as an interval ({@code [} and {@code ]} include the bound, {@code (} and {@code )} exclude it) or
 * as one comparison ({@code >=}, {@code >}, {@code <=}, {@code <}). Numbers must also be finite: NaN and infinities are
 * never in range.
 *
 * @param type  what a value must be
 * @param count for {@link Type#NUMBERS}, how many; 0 otherwise
 * @param low   lower bound, or null
 * @param high  upper bound, or null
 * @param range the range as declared, e.g. {@code (0, 1]} or {@code >= 1}
 */
public record ConfigRange(Type type, int count, Bound low, Bound high, String range) {
    private static final Pattern SPEC = Pattern.compile("(integer|number|duration|(\\d+) numbers)\\s+(.+)");
    private static final Pattern INTERVAL = Pattern.compile("([\\[(])\\s*([^,]*?)\\s*,\\s*([^,]*?)\\s*([\\])])");
    private static final Pattern COMPARISON = Pattern.compile("(>=|>|<=|<)\\s*(\\S+)");
    private static final Pattern NUMBER_LIST = Pattern.compile("\\s*-?\\d+(\\.\\d+)?(\\s*,\\s*-?\\d+(\\.\\d+)?)*\\s*");

    /** What a key's value is. */
    public enum Type {
        INTEGER("an integer"),
        NUMBER("a number"),
        DURATION("a duration like 500ms, 10s, 5m, 24h"),
        NUMBERS("numbers");

        private final String noun;

        Type(String noun) {
            this.noun = noun;
        }
    }

    /** One end of a range: its value (milliseconds for durations), whether it is allowed, and how it was written. */
    public record Bound(double value, boolean inclusive, String text) {}

    /** Parses a declaration; the message of a malformed one names {@code where} it was declared. */
    public static ConfigRange parse(String declaration, String where) {
        String d = declaration == null ? "" : declaration.trim();
        Matcher m = SPEC.matcher(d);
        if (!m.matches()) {
            throw malformed(declaration, where, "start with integer, number, duration or '<n> numbers'");
        }
        Type type = switch (m.group(1)) {
            case "integer" -> Type.INTEGER;
            case "number" -> Type.NUMBER;
            case "duration" -> Type.DURATION;
            default -> Type.NUMBERS;
        };
        int count = type == Type.NUMBERS ? Integer.parseInt(m.group(2)) : 0;
        if (type == Type.NUMBERS && count < 1) {
            throw malformed(declaration, where, "name at least 1 number");
        }
        String range = m.group(3).trim();
        Bound low = null;
        Bound high = null;
        Matcher i = INTERVAL.matcher(range);
        Matcher c = COMPARISON.matcher(range);
        if (i.matches()) {
            low = i.group(2).isEmpty()
                    ? null
                    : bound(type, i.group(2), i.group(1).equals("["), declaration, where);
            high = i.group(3).isEmpty()
                    ? null
                    : bound(type, i.group(3), i.group(4).equals("]"), declaration, where);
        } else if (c.matches()) {
            Bound b = bound(type, c.group(2), c.group(1).endsWith("="), declaration, where);
            if (c.group(1).startsWith(">")) {
                low = b;
            } else {
                high = b;
            }
        } else {
            throw malformed(declaration, where, "give a range like [0, 1], (0, 1], >= 1 or > 0");
        }
        if (low == null && high == null) {
            throw malformed(declaration, where, "bound the range on at least one side");
        }
        if (low != null && high != null && low.value() > high.value()) {
            throw malformed(declaration, where, "put the lower bound first");
        }
        return new ConfigRange(type, count, low, high, range);
    }

    private static Bound bound(Type type, String text, boolean inclusive, String declaration, String where) {
        try {
            // a duration bound of plain 0 needs no unit
            double v = type != Type.DURATION
                    ? Double.parseDouble(text)
                    : text.equals("0") ? 0 : millis(FacestreamConfig.parseDuration(text));
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("not finite");
            }
            return new Bound(v, inclusive, text);
        } catch (IllegalArgumentException e) {
            throw malformed(
                    declaration,
                    where,
                    "write bounds as " + (type == Type.DURATION ? "durations (0s, 500ms, 30m)" : "numbers") + ", not '"
                            + text + "'");
        }
    }

    private static ConfigException malformed(String declaration, String where, String fix) {
        return new ConfigException("range '" + declaration + "' in " + where + " is malformed: " + fix);
    }

    /** What the key accepts, as the error messages and the configuration docs say it: {@code a number in (0, 1]}. */
    public String describe() {
        String noun = switch (type) {
            case NUMBERS -> count + (count == 1 ? " number" : " comma-separated numbers");
            case DURATION -> "a duration";
            default -> type.noun;
        };
        boolean interval = range.startsWith("[") || range.startsWith("(");
        return noun
                + (interval ? (type == Type.NUMBERS ? ", each in " : " in ") : (type == Type.NUMBERS ? ", each " : " "))
                + range;
    }

    /**
     * Checks one value of {@code key} from {@code source}; the message names the key, the value, where it came from
     * and what to write instead.
     */
    public void check(String key, Object value, String source) {
        if (type == Type.NUMBERS) {
            List<String> items = value instanceof List<?> l
                    ? l.stream().map(String::valueOf).toList()
                    : List.of(value.toString().trim().split("\\s*,\\s*", -1));
            if (items.size() != count) {
                throw refused(key, value, source, "not " + count + " comma-separated numbers");
            }
            for (String item : items) {
                double v = number(key, value, source, item);
                if (!contains(v)) {
                    throw refused(key, value, source, "out of range (" + item.trim() + ")");
                }
            }
            return;
        }
        double v = switch (type) {
            case INTEGER -> {
                double n = integer(key, value, source);
                if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
                    throw refused(key, value, source, "out of range (integers are 32-bit)");
                }
                yield n;
            }
            case NUMBER ->
                value instanceof Number n
                        ? finite(key, value, source, n.doubleValue())
                        : number(key, value, source, value.toString());
            default -> duration(key, value, source);
        };
        if (!contains(v)) {
            throw refused(key, value, source, "out of range");
        }
    }

    /** Whether a number (milliseconds for a duration) lies within the bounds. */
    public boolean contains(double v) {
        if (!Double.isFinite(v)) {
            return false;
        }
        boolean aboveLow = low == null || (low.inclusive() ? v >= low.value() : v > low.value());
        boolean belowHigh = high == null || (high.inclusive() ? v <= high.value() : v < high.value());
        return aboveLow && belowHigh;
    }

    private double integer(String key, Object value, String source) {
        if (value instanceof Number n) {
            double d = finite(key, value, source, n.doubleValue());
            if (d != Math.rint(d)) {
                throw refused(key, value, source, "not an integer");
            }
            return d;
        }
        try {
            return Long.parseLong(value.toString().trim());
        } catch (NumberFormatException e) {
            throw refused(key, value, source, "not an integer");
        }
    }

    private double number(String key, Object value, String source, String text) {
        double d;
        try {
            d = Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            throw refused(key, value, source, "not a number");
        }
        return finite(key, value, source, d);
    }

    private double finite(String key, Object value, String source, double d) {
        if (!Double.isFinite(d)) {
            throw refused(key, value, source, "not a finite number");
        }
        return d;
    }

    private double duration(String key, Object value, String source) {
        try {
            return millis(FacestreamConfig.parseDuration(value.toString()));
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw refused(key, value, source, "not a duration like 500ms, 10s, 5m, 24h, 7d");
        }
    }

    private static double millis(Duration d) {
        return d.getSeconds() * 1000.0 + d.getNano() / 1e6;
    }

    private ConfigException refused(String key, Object value, String source, String problem) {
        return new ConfigException(
                "config " + key + " = '" + value + "' (from " + source + ") is " + problem + ": use " + describe());
    }

    /**
     * Whether a default value is numeric and so needs a declared range: a number, a duration ({@code 500ms},
     * {@code 5s}, {@code PT1H}) or a comma-separated list of numbers.
     */
    public static boolean isNumeric(Object defaultValue) {
        if (defaultValue instanceof Number) {
            return true;
        }
        if (!(defaultValue instanceof String s) || s.isBlank()) {
            return false;
        }
        if (NUMBER_LIST.matcher(s).matches()) {
            return true;
        }
        String t = s.trim().toLowerCase(Locale.ROOT);
        if (!(Character.isDigit(t.charAt(0)) || t.startsWith("p"))) {
            return false;
        }
        try {
            FacestreamConfig.parseDuration(s);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
