package io.facestream.match.history;

import io.facestream.core.events.Match;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * A query of the match history: filters (null matches everything), a page size and where the page starts. Times are
 * capture times in epoch µs; a decision is in range when its track overlaps [from, to], as on {@code /api/matches}.
 * The subject filter, as there, finds the HITs naming that subject.
 *
 * @param after the last decision of the previous page ({@link Cursor}), or null for the first page
 */
public record HistoryQuery(
        String camera,
        String subject,
        String gallery,
        Match.Decision decision,
        Match.Stage stage,
        String track,
        Boolean late,
        Long fromUs,
        Long toUs,
        int limit,
        Cursor after) {

    /** The default page size. */
    public static final int DEFAULT_LIMIT = 50;

    public HistoryQuery {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, got " + limit);
        }
        if (fromUs != null && toUs != null && fromUs > toUs) {
            throw new IllegalArgumentException("from (" + Instant.ofEpochSecond(0, fromUs * 1000) + ") is after to ("
                    + Instant.ofEpochSecond(0, toUs * 1000) + "): swap them, or leave one out");
        }
    }

    /** Where a page ends: the sort values of its last decision (newest first: capture time, then match id). */
    public record Cursor(long endTsUs, String matchId) {
        private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

        /** Opaque text for {@code next_cursor}: URL-safe base64 of {@code v1:<end µs>:<match id>}. */
        public String encode() {
            return ENCODER.encodeToString(("v1:" + endTsUs + ":" + matchId).getBytes(StandardCharsets.UTF_8));
        }

        public static Cursor decode(String text) {
            String what = "cursor '" + text + "' is not a cursor of this API: pass the next_cursor of the previous"
                    + " page unchanged, or leave cursor out for the first page";
            String plain;
            try {
                plain = new String(Base64.getUrlDecoder().decode(text.trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(what);
            }
            String[] parts = plain.split(":", 3);
            if (parts.length != 3 || !parts[0].equals("v1") || parts[2].isEmpty()) {
                throw new IllegalArgumentException(what);
            }
            try {
                return new Cursor(Long.parseLong(parts[1]), parts[2]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(what);
            }
        }
    }

    /**
     * Reads a query from request parameters; every refusal is an {@link IllegalArgumentException} whose message says
     * what to send instead.
     *
     * <p>Times: {@code from} / {@code to} take an ISO-8601 instant ({@code 2026-12-03T10:00:00Z}) or epoch
     * milliseconds; {@code from_us} / {@code to_us} take epoch microseconds, as {@code /api/matches} does.
     *
     * @param maxLimit the largest page ({@code match.history.max-page})
     */
    public static HistoryQuery parse(Function<String, String> param, int maxLimit) {
        Long from = time(param, "from");
        Long to = time(param, "to");
        int limit = DEFAULT_LIMIT;
        String l = blankToNull(param.apply("limit"));
        if (l != null) {
            try {
                limit = Integer.parseInt(l);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("limit = '" + l + "' is not an integer: send 1 to " + maxLimit);
            }
            if (limit < 1 || limit > maxLimit) {
                throw new IllegalArgumentException(
                        "limit = " + limit + " is out of range: send 1 to " + maxLimit + " and page with cursor");
            }
        } else {
            limit = Math.min(limit, maxLimit);
        }
        String cursor = blankToNull(param.apply("cursor"));
        return new HistoryQuery(
                blankToNull(param.apply("camera")),
                blankToNull(param.apply("subject")),
                blankToNull(param.apply("gallery")),
                enumParam(param.apply("decision"), Match.Decision.class, "decision"),
                enumParam(param.apply("stage"), Match.Stage.class, "stage"),
                blankToNull(param.apply("track")),
                booleanParam(param.apply("late"), "late"),
                from,
                to,
                limit,
                cursor == null ? null : Cursor.decode(cursor));
    }

    private static Long time(Function<String, String> param, String name) {
        String text = blankToNull(param.apply(name));
        String micros = blankToNull(param.apply(name + "_us"));
        if (text != null && micros != null) {
            throw new IllegalArgumentException("both " + name + " and " + name + "_us are given: send one of them ("
                    + name + " as ISO-8601 or epoch ms, " + name + "_us as epoch µs)");
        }
        if (micros != null) {
            try {
                return Long.parseLong(micros);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        name + "_us = '" + micros + "' is not an integer (epoch microseconds)");
            }
        }
        if (text == null) {
            return null;
        }
        if (text.chars().allMatch(Character::isDigit) && text.length() <= 15) {
            return Long.parseLong(text) * 1000;
        }
        try {
            Instant i = Instant.parse(text);
            return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000L), i.getNano() / 1000);
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new IllegalArgumentException(name + " = '" + text
                    + "' is not a time: send an ISO-8601 instant such as 2026-12-03T10:00:00Z, or epoch milliseconds");
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    private static Boolean booleanParam(String text, String name) {
        String t = blankToNull(text);
        if (t == null) {
            return null;
        }
        return switch (t.toLowerCase(Locale.ROOT)) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> throw new IllegalArgumentException(name + " = '" + text + "' is not true or false");
        };
    }

    private static <E extends Enum<E>> E enumParam(String text, Class<E> type, String name) {
        String t = blankToNull(text);
        if (t == null) {
            return null;
        }
        try {
            return Enum.valueOf(type, t.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + " = '" + text + "' is not one of "
                    + List.of(type.getEnumConstants()) + ": send one of them");
        }
    }
}
