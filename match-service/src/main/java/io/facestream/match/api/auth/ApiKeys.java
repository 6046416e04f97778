package io.facestream.match.api.auth;

import io.facestream.core.config.FacestreamConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API keys: {@code api.keys.<name>.key} and {@code api.keys.<name>.role} from the configuration. With none
 * configured, an admin key is generated once, written to {@code api.key-file} (owner-only) and printed, so a fresh
 * install is usable and yet never open; later starts reuse the file.
 */
public final class ApiKeys {
    private static final Logger LOG = LoggerFactory.getLogger(ApiKeys.class);

    private final List<ApiKey> keys;
    private final ApiKey generated;

    private ApiKeys(List<ApiKey> keys, ApiKey generated) {
        this.keys = List.copyOf(keys);
        this.generated = generated;
    }

    public static ApiKeys of(List<ApiKey> keys) {
        return new ApiKeys(keys, null);
    }

    public static ApiKeys from(FacestreamConfig config) {
        Map<String, Map<String, String>> byName = new TreeMap<>();
        config.section("api.keys").forEach((k, v) -> {
            int dot = k.lastIndexOf('.');
            if (dot <= 0) {
                throw new IllegalArgumentException("api.keys." + k + ": write api.keys.<name>.key and api.keys.<name>.role");
            }
            byName.computeIfAbsent(k.substring(0, dot), n -> new TreeMap<>()).put(k.substring(dot + 1), String.valueOf(v));
        });
        List<ApiKey> keys = new ArrayList<>();
        byName.forEach((name, fields) -> {
            String secret = fields.get("key");
            if (secret == null) {
                throw new IllegalArgumentException("api.keys." + name + " has no 'key'");
            }
            keys.add(new ApiKey(name, secret, Role.parse(fields.getOrDefault("role", "viewer"), "api.keys." + name)));
        });
        if (!keys.isEmpty()) {
            return new ApiKeys(keys, null);
        }
        ApiKey admin = new ApiKey("admin", adminSecret(config.getPath("api.key-file")), Role.ADMIN);
        return new ApiKeys(List.of(admin), admin);
    }

    private static String adminSecret(Path file) {
        try {
            if (Files.isRegularFile(file)) {
                String s = Files.readString(file, StandardCharsets.UTF_8).trim();
                if (s.length() >= 16) {
                    return s;
                }
                throw new IllegalStateException("admin key file " + file + " holds no valid key (under 16 characters); delete it to generate a new one");
            }
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            String secret = "fs_" + HexFormat.of().formatHex(random);
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, secret + "\n", StandardCharsets.UTF_8);
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system: the file keeps the platform default
            }
            LOG.warn("no API keys configured: generated an admin key, stored in {}", file);
            System.out.println("facestream API admin key (stored in " + file + "): " + secret);
            return secret;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write the admin key file " + file, e);
        }
    }

    /** The key with this secret; compared in constant time so response timing reveals nothing. */
    public Optional<ApiKey> find(String secret) {
        if (secret == null || secret.isEmpty()) {
            return Optional.empty();
        }
        byte[] given = secret.getBytes(StandardCharsets.UTF_8);
        ApiKey found = null;
        for (ApiKey k : keys) {
            if (MessageDigest.isEqual(given, k.secret().getBytes(StandardCharsets.UTF_8))) {
                found = k;
            }
        }
        return Optional.ofNullable(found);
    }

    /** The key generated on this start (or read back from the key file), if no keys were configured. */
    public Optional<ApiKey> generatedAdmin() {
        return Optional.ofNullable(generated);
    }
}
