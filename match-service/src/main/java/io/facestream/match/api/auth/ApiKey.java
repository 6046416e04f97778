package io.facestream.match.api.auth;

import java.time.Instant;
import java.util.regex.Pattern;

/**
 * A named key as the service keeps it: never the secret, only its SHA-256. The name is what the audit log and
 * feedback record as "who".
 *
 * @param name      letters, digits, {@code _}, {@code -}, {@code .}; at most 64
 * @param role      what it may do
 * @param sha256    hex SHA-256 of the secret's UTF-8 bytes
 * @param source    where it is declared
 * @param createdAt when it was made (null for a configured key)
 * @param expiresAt from when it is refused (null: never)
 * @param revokedAt when it was revoked (null: not revoked)
 * @param createdBy who made it (a key name, or how it came to be)
 */
public record ApiKey(
        String name,
        Role role,
        String sha256,
        Source source,
        Instant createdAt,
        Instant expiresAt,
        Instant revokedAt,
        String createdBy) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

    /**
     * {@code CONFIG}: {@code api.keys.<name>} (revoking or expiring it is stored beside); {@code STORE}: made at run
     * time; {@code PROCESS}: made by this process for its own use (the demo's client), in memory only.
     */
    public enum Source {
        CONFIG,
        STORE,
        PROCESS
    }

    /** Whether a key can be used now. */
    public enum State {
        ACTIVE,
        EXPIRED,
        REVOKED
    }

    public ApiKey {
        checkName(name, "API key name");
        if (role == null) {
            throw new IllegalArgumentException("API key '" + name + "' has no role");
        }
        if (sha256 == null || !HEX.matcher(sha256).matches()) {
            throw new IllegalArgumentException("API key '" + name + "': sha256 must be 64 lower-case hex digits");
        }
    }

    public static String checkName(String name, String what) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    what + " '" + name + "' is not valid: use 1 to 64 letters, digits, '_', '-' or '.', "
                            + "starting with a letter or digit");
        }
        return name;
    }

    public State state(Instant now) {
        if (revokedAt != null) {
            return State.REVOKED;
        }
        if (expiresAt != null && !now.isBefore(expiresAt)) {
            return State.EXPIRED;
        }
        return State.ACTIVE;
    }

    /** The first 8 hex digits of the hash: tells keys apart in listings, reveals nothing usable. */
    public String fingerprint() {
        return sha256.substring(0, 8);
    }

    ApiKey withExpiry(Instant at) {
        return new ApiKey(name, role, sha256, source, createdAt, at, revokedAt, createdBy);
    }

    ApiKey revoked(Instant at) {
        return new ApiKey(name, role, sha256, source, createdAt, expiresAt, at, createdBy);
    }

    @Override
    public String toString() {
        return "ApiKey[" + name + ", " + role + ", " + fingerprint() + "]";
    }
}
