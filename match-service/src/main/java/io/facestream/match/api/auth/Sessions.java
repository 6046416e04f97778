package io.facestream.match.api.auth;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The page's sessions: short-lived tokens signed by this process (HMAC-SHA256 with a random key made at start), carried
 * in an HttpOnly, SameSite=Strict cookie, so images, the live stream (SSE) and the WebSocket are authorised without the
 * long-lived API key in any URL or in the page's storage. A token names its key and the key's fingerprint: it stops
 * working the moment its key expires or is revoked (or is replaced by another key of the same name), at its own expiry,
 * on logout, and when the process restarts.
 */
public final class Sessions {
    public static final String COOKIE = "facestream_session";
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    /** What a valid token says. */
    public record Claims(String id, String keyName, String fingerprint, Instant expiresAt) {}

    private final SecretKeySpec signingKey = new SecretKeySpec(KeyHash.randomBytes(32), "HmacSHA256");
    private final Duration ttl;
    private final Clock clock;
    /** Sessions ended by logout before their expiry: id → expiry (dropped once expired). */
    private final Map<String, Instant> ended = new ConcurrentHashMap<>();

    public Sessions(Duration ttl) {
        this(ttl, Clock.systemUTC());
    }

    Sessions(Duration ttl, Clock clock) {
        this.ttl = ttl;
        this.clock = clock;
    }

    public Duration ttl() {
        return ttl;
    }

    /** A new token for a key (never past the key's own expiry). */
    public String issue(ApiKey key) {
        Instant expires = clock.instant().plus(ttl);
        if (key.expiresAt() != null && key.expiresAt().isBefore(expires)) {
            expires = key.expiresAt();
        }
        String id = HexFormat.of().formatHex(KeyHash.randomBytes(12));
        String payload = B64.encodeToString(
                (id + "|" + key.name() + "|" + key.sha256().substring(0, 16) + "|" + expires.getEpochSecond())
                        .getBytes(StandardCharsets.UTF_8));
        return payload + "." + B64.encodeToString(sign(payload));
    }

    /** The claims of a token that is authentic, unexpired and not logged out. */
    public Optional<Claims> verify(String token) {
        if (token == null || token.length() > 512) {
            return Optional.empty();
        }
        int dot = token.indexOf('.');
        if (dot <= 0) {
            return Optional.empty();
        }
        String payload = token.substring(0, dot);
        byte[] sig;
        String[] parts;
        try {
            sig = B64D.decode(token.substring(dot + 1));
            parts = new String(B64D.decode(payload), StandardCharsets.UTF_8).split("\\|");
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (!MessageDigest.isEqual(sign(payload), sig) || parts.length != 4) {
            return Optional.empty();
        }
        Instant expires;
        try {
            expires = Instant.ofEpochSecond(Long.parseLong(parts[3]));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        if (!now.isBefore(expires) || ended.containsKey(parts[0])) {
            return Optional.empty();
        }
        return Optional.of(new Claims(parts[0], parts[1], parts[2], expires));
    }

    /** Whether the token's key is this key (same name and the same secret). */
    public static boolean belongsTo(Claims c, ApiKey key) {
        return key.name().equals(c.keyName()) && key.sha256().startsWith(c.fingerprint());
    }

    /** Logout: the session's token is refused from now on. */
    public void end(Claims c) {
        Instant now = clock.instant();
        ended.values().removeIf(e -> !now.isBefore(e));
        ended.put(c.id(), c.expiresAt());
    }

    private byte[] sign(String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(signingKey);
            return mac.doFinal(payload.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
