package io.facestream.core.security;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks secrets in text that goes to logs, errors and status lines: the password of a URL's user info
 * ({@code rtsp://admin:secret@cam} becomes {@code rtsp://admin:***@cam}) and the values of query parameters that carry
 * credentials ({@code ?token=...}, {@code password}, {@code key}, ...), wherever such a URL appears in the text.
 * A camera source is written with its credentials; only the code that opens the stream sees them unmasked.
 */
public final class Redact {
    public static final String MASK = "***";
    /** scheme://user:password@ — the password is everything up to the last '@' before the host. */
    private static final Pattern USER_INFO =
            Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)([^/?#@\\s:]*):([^/?#\\s]*)@");

    private static final Pattern SECRET_PARAM = Pattern.compile(
            "(?i)([?&;](?:password|passwd|pass|pwd|token|access_token|auth|authorization|key|api_key|apikey|secret|sig|signature|credentials?)=)([^&#\\s\"']*)");

    private Redact() {}

    /** The text with every URL password and credential parameter replaced by {@value #MASK}; null stays null. */
    public static String credentials(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String out = text;
        if (out.contains("://")) {
            Matcher m = USER_INFO.matcher(out);
            StringBuilder sb = new StringBuilder();
            while (m.find()) {
                m.appendReplacement(sb, Matcher.quoteReplacement(m.group(1) + m.group(2) + ":" + MASK + "@"));
            }
            m.appendTail(sb);
            out = sb.toString();
        }
        if (out.indexOf('=') >= 0) {
            Matcher m = SECRET_PARAM.matcher(out);
            StringBuilder sb = new StringBuilder();
            while (m.find()) {
                m.appendReplacement(
                        sb, Matcher.quoteReplacement(m.group(1) + (m.group(2).isEmpty() ? "" : MASK)));
            }
            m.appendTail(sb);
            out = sb.toString();
        }
        return out;
    }
}
