package io.facestream.match.api;

import io.vertx.ext.web.RoutingContext;
import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The first handler of every request: a path whose segments, percent-decoded, are {@code .} or {@code ..}, or hold a
 * slash, a backslash, a NUL or another control character is refused with 400, before routing (the router would
 * otherwise resolve the dots and route the request somewhere else) and before any name reaches a file, an index or a
 * topic. Names in this API (galleries, subjects, media, cameras, tracks, keys) never contain any of them.
 */
final class PathCheck {
    private PathCheck() {}

    static void handle(RoutingContext ctx) {
        String raw = ctx.request().path();
        String problem = problem(raw == null ? "" : raw);
        if (problem != null) {
            ctx.fail(ApiError.badRequest(problem));
            return;
        }
        ctx.next();
    }

    /** Why this raw path is refused, or null. */
    static String problem(String raw) {
        if (raw.length() > 2048) {
            return "the path is longer than 2048 characters";
        }
        int i = 0;
        for (String segment : raw.split("/", -1)) {
            if (i++ == 0) {
                continue;
            }
            String decoded = decode(segment);
            if (decoded == null) {
                return "path segment '" + shown(segment) + "' is not valid percent-encoded UTF-8";
            }
            if (decoded.equals(".") || decoded.equals("..")) {
                return "path segment '" + shown(segment) + "' is a relative path ('.' or '..'): not allowed";
            }
            for (int c = 0; c < decoded.length(); c++) {
                char ch = decoded.charAt(c);
                if (ch == '/' || ch == '\\' || ch < 0x20 || ch == 0x7f) {
                    return "path segment '" + shown(segment)
                            + "' holds '/', '\\' or a control character: not allowed in a name";
                }
            }
        }
        return null;
    }

    private static String shown(String segment) {
        return segment.length() > 80 ? segment.substring(0, 80) + "..." : segment;
    }

    private static String decode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    return null;
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                out.write(hi * 16 + lo);
                i += 2;
            } else {
                out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(out.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
