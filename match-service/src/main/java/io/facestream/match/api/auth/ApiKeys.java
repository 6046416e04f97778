package io.facestream.match.api.auth;

import com.fasterxml.jackson.databind.JsonNode;
import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API keys. Declared in the configuration ({@code api.keys.<name>.sha256} or, in plaintext,
 * {@code api.keys.<name>.key}; and {@code .role}) or made at run time by an admin ({@code POST /api/keys}), kept in
 * the key store {@code api.key-store} (JSON, owner-only, mode 600). Only SHA-256 hashes are kept; a new key's secret
 * is shown once, to whoever made it. Keys expire and are revoked at run time; a configured key's expiry or revocation
 * is kept in the store and holds while the configuration has that same key. Two keys with the same secret are
 * refused: the audit log must name one key.
 *
 * <p>With no configured keys and no active admin key in the store, an admin key is generated; its secret is written
 * once to {@code api.key-file} (mode 600) for the owner to pick up, never printed or logged. A key file of an older
 * release (its plaintext admin key) is taken over: its hash goes into the store.
 */
public final class ApiKeys {
    private static final Logger LOG = LoggerFactory.getLogger(ApiKeys.class);

    /** A new key and its secret, which is not kept anywhere: show it once. */
    public record Created(ApiKey key, String secret) {}

    private record Lookup(byte[] hash, String name) {}

    private final Path store;
    private final Clock clock;
    private final Map<String, ApiKey> keys = new TreeMap<>();
    private volatile List<Lookup> lookup = List.of();
    private Path adminKeyFile;

    private ApiKeys(Path store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** Keys held in memory only (tests, tools). */
    public static ApiKeys of(List<ApiKey> keys) {
        ApiKeys k = new ApiKeys(null, Clock.systemUTC());
        for (ApiKey key : keys) {
            k.add(key);
        }
        k.reindex();
        return k;
    }

    public static ApiKeys from(FacestreamConfig config) {
        ApiKeys k = new ApiKeys(config.getPath("api.key-store"), Clock.systemUTC());
        List<ApiKey> configured = configured(config);
        List<ApiKey> stored = k.read();
        for (ApiKey c : configured) {
            k.add(c);
        }
        for (ApiKey s : stored) {
            if (s.source() == ApiKey.Source.CONFIG) {
                ApiKey c = k.keys.get(s.name());
                if (c != null
                        && c.source() == ApiKey.Source.CONFIG
                        && c.sha256().equals(s.sha256())) {
                    k.keys.put(
                            c.name(),
                            new ApiKey(
                                    c.name(),
                                    c.role(),
                                    c.sha256(),
                                    c.source(),
                                    c.createdAt(),
                                    s.expiresAt(),
                                    s.revokedAt(),
                                    c.createdBy()));
                } // else: the configuration changed that key; what was stored about the old one no longer applies
                continue;
            }
            if (k.keys.containsKey(s.name())) {
                throw new IllegalArgumentException("API key '" + s.name() + "' is both configured (api.keys." + s.name()
                        + ") and in the key store " + k.store + ": rename one of them");
            }
            k.add(s);
        }
        k.reindex();
        if (configured.isEmpty()
                && k.keys.values().stream()
                        .noneMatch(x -> x.role() == Role.ADMIN && x.state(k.clock.instant()) == ApiKey.State.ACTIVE)) {
            k.bootstrapAdmin(config.getPath("api.key-file"));
        } else if (Files.isRegularFile(config.getPath("api.key-file"))) {
            LOG.warn(
                    "{} still holds an API key in plaintext: keep the key elsewhere and delete the file (the service keeps "
                            + "only its hash, in {})",
                    config.getPath("api.key-file"),
                    k.store);
        }
        return k;
    }

    private static List<ApiKey> configured(FacestreamConfig config) {
        Map<String, Map<String, String>> byName = new TreeMap<>();
        config.section("api.keys").forEach((k, v) -> {
            int dot = k.lastIndexOf('.');
            if (dot <= 0) {
                throw new IllegalArgumentException(
                        "api.keys." + k + ": write api.keys.<name>.sha256 (or .key) and api.keys.<name>.role");
            }
            byName.computeIfAbsent(k.substring(0, dot), n -> new TreeMap<>())
                    .put(k.substring(dot + 1), String.valueOf(v));
        });
        List<ApiKey> out = new ArrayList<>();
        byName.forEach((name, fields) -> {
            String where = "api.keys." + name;
            for (String f : fields.keySet()) {
                if (!List.of("key", "sha256", "role").contains(f)) {
                    throw new IllegalArgumentException(
                            where + "." + f + " is not a field of a key (sha256, key, role)");
                }
            }
            String secret = fields.get("key");
            String hash = fields.get("sha256");
            if ((secret == null) == (hash == null)) {
                throw new IllegalArgumentException(
                        where + ": give either 'sha256' (the hex SHA-256 of the secret, preferred) or 'key'");
            }
            if (secret != null) {
                if (secret.length() < KeyHash.MIN_SECRET_LENGTH) {
                    throw new IllegalArgumentException("API key '" + name + "' is too short: use at least "
                            + KeyHash.MIN_SECRET_LENGTH + " characters");
                }
                hash = KeyHash.sha256Hex(secret);
                LOG.info(
                        "{}.key holds the secret in plaintext in the configuration; {}.sha256: <hex SHA-256 of the secret> keeps "
                                + "only its hash (printf %s SECRET | sha256sum)",
                        where, where);
            } else {
                hash = hash.trim().toLowerCase(java.util.Locale.ROOT);
            }
            out.add(new ApiKey(
                    ApiKey.checkName(name, where),
                    Role.parse(fields.getOrDefault("role", "viewer"), where),
                    hash,
                    ApiKey.Source.CONFIG,
                    null,
                    null,
                    null,
                    "configuration"));
        });
        return out;
    }

    private void add(ApiKey key) {
        for (ApiKey other : keys.values()) {
            if (other.sha256().equals(key.sha256())) {
                throw new IllegalArgumentException(
                        "API keys '" + other.name() + "' and '" + key.name() + "' have the same secret: "
                                + "every key needs its own, so that the audit log names who did what");
            }
        }
        if (keys.putIfAbsent(key.name(), key) != null) {
            throw new IllegalArgumentException("API key '" + key.name() + "' is declared twice");
        }
    }

    private void reindex() {
        List<Lookup> l = new ArrayList<>();
        keys.values().forEach(k -> l.add(new Lookup(HexFormat.of().parseHex(k.sha256()), k.name())));
        lookup = List.copyOf(l);
    }

    /**
     * The key with this secret, whatever its state (the caller refuses expired and revoked ones, saying so). Every
     * key is compared, in constant time, so response timing reveals nothing.
     */
    public Optional<ApiKey> find(String secret) {
        if (secret == null || secret.isEmpty()) {
            return Optional.empty();
        }
        byte[] given = KeyHash.sha256(secret);
        String found = null;
        for (Lookup l : lookup) {
            if (MessageDigest.isEqual(given, l.hash())) {
                found = l.name();
            }
        }
        return found == null ? Optional.empty() : byName(found);
    }

    public synchronized Optional<ApiKey> byName(String name) {
        return Optional.ofNullable(keys.get(name));
    }

    public synchronized List<ApiKey> list() {
        return List.copyOf(keys.values());
    }

    public Instant now() {
        return clock.instant();
    }

    /** Makes a key with a fresh secret; the name must be new. */
    public synchronized Created create(String name, Role role, Instant expiresAt, String by) {
        ApiKey.checkName(name, "API key name");
        if (keys.containsKey(name)) {
            throw new KeyConflict("API key '" + name + "' exists already (revoked keys keep their name)");
        }
        if (expiresAt != null && !expiresAt.isAfter(now())) {
            throw new IllegalArgumentException("expires_at " + expiresAt + " is not in the future");
        }
        String secret = KeyHash.newSecret();
        ApiKey key = new ApiKey(name, role, KeyHash.sha256Hex(secret), ApiKey.Source.STORE, now(), expiresAt, null, by);
        Map<String, ApiKey> before = new TreeMap<>(keys);
        add(key);
        commit(before);
        return new Created(key, secret);
    }

    /**
     * A key for this process's own client (the demo enrols through the API like an operator), kept in memory only: it
     * is gone with the process and expires after {@code ttl}.
     */
    public synchronized Created createForProcess(String name, Role role, java.time.Duration ttl) {
        if (keys.containsKey(name)) {
            name = freeName(name);
        }
        String secret = KeyHash.newSecret();
        ApiKey key = new ApiKey(
                name,
                role,
                KeyHash.sha256Hex(secret),
                ApiKey.Source.PROCESS,
                now(),
                now().plus(ttl),
                null,
                "this process");
        add(key);
        reindex();
        return new Created(key, secret);
    }

    /** Sets when a key stops working ({@code at} in the past or now: at once). */
    public synchronized ApiKey expire(String name, Instant at) {
        ApiKey k = existing(name);
        if (k.state(now()) == ApiKey.State.REVOKED) {
            throw new KeyConflict("API key '" + name + "' is revoked");
        }
        refuseLastAdmin(k, at.isAfter(now()) ? null : "expiring");
        return replace(k, k.withExpiry(at));
    }

    /** Revokes a key at once, for good; it stays listed. */
    public synchronized ApiKey revoke(String name) {
        ApiKey k = existing(name);
        if (k.state(now()) == ApiKey.State.REVOKED) {
            return k;
        }
        refuseLastAdmin(k, "revoking");
        return replace(k, k.revoked(now()));
    }

    private void refuseLastAdmin(ApiKey k, String what) {
        if (what == null || k.role() != Role.ADMIN || k.state(now()) != ApiKey.State.ACTIVE) {
            return;
        }
        boolean another = keys.values().stream()
                .anyMatch(o -> o != k
                        && o.role() == Role.ADMIN
                        && o.source() != ApiKey.Source.PROCESS
                        && o.state(now()) == ApiKey.State.ACTIVE);
        if (!another) {
            throw new KeyConflict(
                    what + " '" + k.name() + "' would leave no active admin key: create another admin key first");
        }
    }

    private ApiKey existing(String name) {
        ApiKey k = keys.get(name);
        if (k == null) {
            throw new UnknownKey("no API key named '" + name + "'");
        }
        return k;
    }

    private ApiKey replace(ApiKey old, ApiKey updated) {
        Map<String, ApiKey> before = new TreeMap<>(keys);
        keys.put(old.name(), updated);
        commit(before);
        return updated;
    }

    /** Saves; on failure the keys are as they were before the change. */
    private void commit(Map<String, ApiKey> before) {
        try {
            save();
        } catch (RuntimeException e) {
            keys.clear();
            keys.putAll(before);
            throw e;
        } finally {
            reindex();
        }
    }

    /** The file where this start wrote a generated admin secret, if it did. */
    public synchronized Optional<Path> adminKeyFile() {
        return Optional.ofNullable(adminKeyFile);
    }

    public Optional<Path> storeFile() {
        return Optional.ofNullable(store);
    }

    private void bootstrapAdmin(Path keyFile) {
        String legacy = null;
        if (Files.isRegularFile(keyFile)) {
            try {
                legacy = Files.readString(keyFile, StandardCharsets.UTF_8).trim();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the admin key file " + keyFile, e);
            }
            String hash = legacy.length() >= KeyHash.MIN_SECRET_LENGTH ? KeyHash.sha256Hex(legacy) : null;
            if (hash == null || keys.values().stream().anyMatch(k -> k.sha256().equals(hash))) {
                legacy = null; // too short, or a key the store already knows (then no longer active): make a new one
            }
        }
        String name = freeName("admin");
        if (legacy != null) {
            add(new ApiKey(
                    name,
                    Role.ADMIN,
                    KeyHash.sha256Hex(legacy),
                    ApiKey.Source.STORE,
                    now(),
                    null,
                    null,
                    "taken over from " + keyFile));
            save();
            reindex();
            LOG.warn(
                    "{} holds the admin key '{}' in plaintext: it is now kept hashed in {}; keep the key elsewhere and delete {}",
                    keyFile,
                    name,
                    store,
                    keyFile);
            return;
        }
        String secret = KeyHash.newSecret();
        add(new ApiKey(
                name,
                Role.ADMIN,
                KeyHash.sha256Hex(secret),
                ApiKey.Source.STORE,
                now(),
                null,
                null,
                "generated at first start"));
        writeOwnerOnly(keyFile, secret + "\n");
        save();
        reindex();
        adminKeyFile = keyFile;
        LOG.warn(
                "no usable admin key: generated the admin key '{}'. Its secret is in {} (readable by this user only): keep it "
                        + "elsewhere and delete the file; the service keeps only its hash (in {})",
                name,
                keyFile,
                store);
    }

    private String freeName(String base) {
        if (!keys.containsKey(base)) {
            return base;
        }
        for (int i = 2; ; i++) {
            if (!keys.containsKey(base + "-" + i)) {
                return base + "-" + i;
            }
        }
    }

    private List<ApiKey> read() {
        if (store == null || !Files.isRegularFile(store)) {
            return List.of();
        }
        try {
            JsonNode root = Json.mapper().readTree(Files.readAllBytes(store));
            List<ApiKey> out = new ArrayList<>();
            for (JsonNode n : root.path("keys")) {
                out.add(new ApiKey(
                        n.path("name").asText(),
                        Role.parse(n.path("role").asText(), "key store " + store),
                        n.path("sha256").asText(),
                        ApiKey.Source.valueOf(n.path("source").asText("STORE")),
                        instant(n, "created_at"),
                        instant(n, "expires_at"),
                        instant(n, "revoked_at"),
                        n.path("created_by").isTextual() ? n.get("created_by").asText() : null));
            }
            return out;
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("the key store " + store + " cannot be read: " + e.getMessage(), e);
        }
    }

    private static Instant instant(JsonNode n, String field) {
        return n.path(field).isTextual() ? Instant.parse(n.get(field).asText()) : null;
    }

    private void save() {
        if (store == null) {
            return;
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (ApiKey k : keys.values()) {
            if (k.source() == ApiKey.Source.PROCESS
                    || k.source() == ApiKey.Source.CONFIG && k.expiresAt() == null && k.revokedAt() == null) {
                continue; // in memory only, or nothing to keep about it
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", k.name());
            m.put("role", k.role().name());
            m.put("sha256", k.sha256());
            m.put("source", k.source().name());
            m.put("created_at", k.createdAt() == null ? null : k.createdAt().toString());
            m.put("expires_at", k.expiresAt() == null ? null : k.expiresAt().toString());
            m.put("revoked_at", k.revokedAt() == null ? null : k.revokedAt().toString());
            m.put("created_by", k.createdBy());
            out.add(m);
        }
        try {
            writeOwnerOnly(
                    store,
                    Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(Map.of("version", 1, "keys", out))
                            + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a file that only its owner can read: a new file created with mode 600, synced, moved over the old one. */
    static void writeOwnerOnly(Path file, String text) {
        Path tmp = null;
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            try {
                tmp = Files.createTempFile(
                        dir,
                        "." + file.getFileName(),
                        ".tmp",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException notPosix) {
                tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
            }
            try (FileChannel ch =
                    FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
    }

    /** A key that is not there (404). */
    public static final class UnknownKey extends RuntimeException {
        UnknownKey(String message) {
            super(message);
        }
    }

    /** A change that conflicts with the keys as they are (409). */
    public static final class KeyConflict extends RuntimeException {
        KeyConflict(String message) {
            super(message);
        }
    }
}
