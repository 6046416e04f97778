package io.facestream.match.api.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.config.FacestreamConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keys are kept hashed, owner-only, never printed; duplicates are refused; expiry and revocation survive a restart. */
class ApiKeysTest {
    @TempDir
    Path dir;

    private FacestreamConfig config(Map<String, Object> more) {
        Map<String, Object> o = new HashMap<>();
        o.put("api.key-store", dir.resolve("keys.json").toString());
        o.put("api.key-file", dir.resolve("admin.key").toString());
        o.putAll(more);
        return FacestreamConfig.builder().isolated().build().with(o);
    }

    @Test
    void aGeneratedAdminKeyGoesToAnOwnerOnlyFileNeverToStdout() throws Exception {
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        ApiKeys keys;
        System.setOut(new PrintStream(captured, true));
        try {
            keys = ApiKeys.from(config(Map.of()));
        } finally {
            System.setOut(out);
        }
        Path file = dir.resolve("admin.key");
        String secret = Files.readString(file).trim();
        assertFalse(captured.toString().contains(secret), "the secret was printed");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        Path store = dir.resolve("keys.json");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store)));
        assertFalse(Files.readString(store).contains(secret), "the store keeps no secret");
        assertEquals("admin", keys.find(secret).orElseThrow().name());
        assertEquals(file, keys.adminKeyFile().orElseThrow());

        ApiKeys again = ApiKeys.from(config(Map.of()));
        assertTrue(again.adminKeyFile().isEmpty(), "no new key when the store has an active admin key");
        assertEquals("admin", again.find(secret).orElseThrow().name());
    }

    @Test
    void aPlaintextKeyFileOfAnOlderReleaseIsTakenOver() throws Exception {
        String old = "fs_0123456789abcdef0123456789abcdef";
        Files.writeString(dir.resolve("admin.key"), old + "\n");
        ApiKeys keys = ApiKeys.from(config(Map.of()));
        assertEquals(Role.ADMIN, keys.find(old).orElseThrow().role());
        assertTrue(keys.adminKeyFile().isEmpty(), "nothing new was generated");
        assertTrue(Files.readString(dir.resolve("keys.json")).contains(KeyHash.sha256Hex(old)));
    }

    @Test
    void twoKeysWithTheSameSecretAreRefused() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> ApiKeys.from(config(Map.of(
                        "api.keys.alice.key",
                        "the-same-secret-0123456789",
                        "api.keys.alice.role",
                        "admin",
                        "api.keys.wall.sha256",
                        KeyHash.sha256Hex("the-same-secret-0123456789"),
                        "api.keys.wall.role",
                        "viewer"))));
        assertTrue(e.getMessage().contains("'alice' and 'wall' have the same secret"), e.getMessage());
    }

    @Test
    void configuredKeysAreCheckedStrictly() {
        assertThrows(IllegalArgumentException.class, () -> ApiKeys.from(config(Map.of("api.keys.a.key", "short"))));
        assertThrows(IllegalArgumentException.class, () -> ApiKeys.from(config(Map.of("api.keys.a.sha256", "abc"))));
        IllegalArgumentException unknown = assertThrows(
                IllegalArgumentException.class,
                () -> ApiKeys.from(
                        config(Map.of("api.keys.a.key", "a-long-enough-secret-123", "api.keys.a.expires", "never"))));
        assertTrue(unknown.getMessage().contains("api.keys.a.expires"), unknown.getMessage());
    }

    @Test
    void expiryAndRevocationOfAConfiguredKeyAreKeptAndTheLastAdminStays() throws Exception {
        Map<String, Object> keysConfig = Map.of(
                "api.keys.root.key",
                "root-secret-0123456789",
                "api.keys.root.role",
                "admin",
                "api.keys.wall.key",
                "wall-secret-0123456789",
                "api.keys.wall.role",
                "viewer");
        ApiKeys keys = ApiKeys.from(config(keysConfig));
        assertThrows(ApiKeys.KeyConflict.class, () -> keys.revoke("root"), "the only admin key");
        keys.revoke("wall");
        ApiKeys.Created made = keys.create("desk", Role.OPERATOR, keys.now().plus(Duration.ofDays(1)), "root");
        keys.expire("desk", keys.now().minusSeconds(1));

        ApiKeys restarted = ApiKeys.from(config(keysConfig));
        assertEquals(
                ApiKey.State.REVOKED,
                restarted.find("wall-secret-0123456789").orElseThrow().state(restarted.now()));
        assertEquals(
                ApiKey.State.EXPIRED,
                restarted.find(made.secret()).orElseThrow().state(restarted.now()));
        assertEquals(
                ApiKey.State.ACTIVE,
                restarted.find("root-secret-0123456789").orElseThrow().state(restarted.now()));

        ApiKeys rekeyed = ApiKeys.from(config(Map.of(
                "api.keys.root.key",
                "root-secret-0123456789",
                "api.keys.root.role",
                "admin",
                "api.keys.wall.key",
                "a-new-wall-secret-0123456789",
                "api.keys.wall.role",
                "viewer")));
        assertEquals(
                ApiKey.State.ACTIVE,
                rekeyed.byName("wall").orElseThrow().state(rekeyed.now()),
                "a new secret in the configuration is a new key: the old one's revocation does not apply");
    }

    @Test
    void aSessionEndsWithItsKeyAndAtLogout() {
        ApiKeys keys = ApiKeys.of(java.util.List.of());
        Sessions sessions = new Sessions(Duration.ofMinutes(15));
        ApiKey key = new ApiKey(
                "wall",
                Role.VIEWER,
                KeyHash.sha256Hex("wall-secret-0123456789"),
                ApiKey.Source.CONFIG,
                null,
                null,
                null,
                null);
        String token = sessions.issue(key);
        Sessions.Claims c = sessions.verify(token).orElseThrow();
        assertTrue(Sessions.belongsTo(c, key));
        ApiKey other = new ApiKey(
                "wall",
                Role.VIEWER,
                KeyHash.sha256Hex("another-secret-0123456789"),
                ApiKey.Source.CONFIG,
                null,
                null,
                null,
                null);
        assertFalse(Sessions.belongsTo(c, other), "a new key of the same name does not inherit the session");
        assertTrue(
                sessions.verify(token.substring(0, token.length() - 2) + "xx").isEmpty(), "a forged signature");
        assertTrue(
                new Sessions(Duration.ofMinutes(15)).verify(token).isEmpty(),
                "another process (a restart) has another signing key");
        sessions.end(c);
        assertTrue(sessions.verify(token).isEmpty(), "logged out");
        assertTrue(keys.list().isEmpty());
    }

    @Test
    void failedAuthenticationsOfAClientAreLimited() {
        java.util.Map<RouteClass, RateLimiter.Limit> l = new java.util.EnumMap<>(RouteClass.class);
        for (RouteClass c : RouteClass.values()) {
            l.put(c, new RateLimiter.Limit(60, 2));
        }
        RateLimiter limiter = new RateLimiter(l, new RateLimiter.Limit(1, 3));
        for (int i = 0; i < 3; i++) {
            assertEquals(0, limiter.authWait("10.0.0.9"));
            limiter.authFailed("10.0.0.9");
        }
        assertTrue(limiter.authWait("10.0.0.9") >= 1, "three failures used the burst");
        assertEquals(0, limiter.authWait("10.0.0.10"), "another client is not affected");
        assertEquals(0, limiter.acquire("wall", RouteClass.SEARCH));
        assertEquals(0, limiter.acquire("wall", RouteClass.SEARCH));
        assertTrue(limiter.acquire("wall", RouteClass.SEARCH) >= 1);
        assertEquals(0, limiter.acquire("desk", RouteClass.SEARCH), "per key");
        assertEquals(0, limiter.acquire("wall", RouteClass.READ), "per route class");
    }
}
