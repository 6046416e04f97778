package io.facestream.embed.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.events.ModelFileDigest;
import io.facestream.core.events.ModelRelease;
import io.facestream.embed.model.ReleaseValidator.RefusedRelease;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checks a model release passes before the embed and match services install it (docs/models.md#release-integrity). */
class ReleaseValidatorTest {
    private static final String SHA = "0123456789abcdef".repeat(4);
    private static final String OTHER_SHA = "fedcba9876543210".repeat(4);

    private static ModelRelease.Builder release(String name, String version) {
        return ModelRelease.newBuilder()
                .setName(name)
                .setVersion(version)
                .setSha256(SHA)
                .setLocation("/models/x")
                .addFiles(ModelFileDigest.newBuilder()
                        .setRole("main")
                        .setFile("model.onnx")
                        .setSha256(SHA));
    }

    private static RefusedRelease refused(ReleaseValidator v, ModelRelease r, String current) {
        return assertThrows(RefusedRelease.class, () -> v.check(r.getName(), r, current));
    }

    @Test
    void aWellFormedUpgradePasses() {
        ReleaseValidator.unsigned()
                .check("mobilefacenet", release("mobilefacenet", "1.0.24-ft.1").build(), "1.0.24");
        ReleaseValidator.unsigned()
                .check("mobilefacenet", release("mobilefacenet", "1.0.24").build(), null);
        // a release from before file lists: the announced hash alone
        ReleaseValidator.unsigned().check("m", release("m", "2").clearFiles().build(), "1");
    }

    @Test
    void namesVersionsAndFilesThatWouldLeaveTheStoreAreRefused() {
        ReleaseValidator v = ReleaseValidator.unsigned();
        for (String name : List.of(
                "..", "../etc", "a/b", "a\\b", ".hidden", "", "a b", "mobile.facenet", "x".repeat(65), "n\u0000")) {
            RefusedRelease e = refused(v, release(name, "1").build(), null);
            assertEquals(RefusedRelease.Kind.INVALID, e.kind(), name);
            assertTrue(e.reason().startsWith("invalid: model name"), e.reason());
        }
        for (String version : List.of("..", "1/../../x", "../2", "1..2", "/abs", "1\\2", "", ".1", "1 2")) {
            RefusedRelease e = refused(v, release("m", version).build(), null);
            assertTrue(e.getMessage().startsWith("model version"), version + ": " + e.getMessage());
        }
        for (String file :
                List.of("../model.onnx", "a/model.onnx", "..", "/etc/passwd", "manifest.json", "", ".onnx")) {
            ModelRelease r = release("m", "1")
                    .setFiles(
                            0,
                            ModelFileDigest.newBuilder()
                                    .setRole("main")
                                    .setFile(file)
                                    .setSha256(SHA))
                    .build();
            RefusedRelease e = refused(v, r, null);
            assertTrue(e.getMessage().contains("not one plain file name"), file + ": " + e.getMessage());
        }
        ModelRelease badRole = release("m", "1")
                .setFiles(
                        0,
                        ModelFileDigest.newBuilder()
                                .setRole("../main")
                                .setFile("a.onnx")
                                .setSha256(SHA))
                .build();
        assertEquals(RefusedRelease.Kind.INVALID, refused(v, badRole, null).kind());
        ModelRelease twice = release("m", "1")
                .addFiles(ModelFileDigest.newBuilder()
                        .setRole("main")
                        .setFile("b.onnx")
                        .setSha256(SHA))
                .build();
        assertTrue(refused(v, twice, null).getMessage().contains("twice"));
    }

    @Test
    void theKeyMustBeTheName() {
        ModelRelease r = release("evil", "9").build();
        RefusedRelease e = assertThrows(
                RefusedRelease.class, () -> ReleaseValidator.unsigned().check("mobilefacenet", r, "1"));
        assertTrue(e.getMessage().contains("key 'mobilefacenet'"), e.getMessage());
    }

    @Test
    void theSha256IsRequiredAndMustBeHexAndListed() {
        ReleaseValidator v = ReleaseValidator.unsigned();
        for (String sha :
                List.of("", "abc", SHA.substring(1), SHA + "0", SHA.replace('a', 'g'), " " + SHA.substring(1))) {
            RefusedRelease e =
                    refused(v, release("m", "1").setSha256(sha).clearFiles().build(), null);
            assertTrue(e.getMessage().contains("64 hex digits are required"), sha + ": " + e.getMessage());
        }
        ModelRelease badFile = release("m", "1")
                .setFiles(
                        0,
                        ModelFileDigest.newBuilder()
                                .setRole("main")
                                .setFile("a.onnx")
                                .setSha256(""))
                .build();
        assertTrue(refused(v, badFile, null).getMessage().contains("sha256 of a.onnx"));
        RefusedRelease unlisted =
                refused(v, release("m", "1").setSha256(OTHER_SHA).build(), null);
        assertTrue(unlisted.getMessage().contains("none of its listed files"), unlisted.getMessage());
        v.check("m", release("m", "1").setSha256(SHA.toUpperCase()).build(), null); // hex in either case
    }

    @Test
    void aDowngradeIsRefusedUnlessTheReleaseAllowsIt() {
        ReleaseValidator v = ReleaseValidator.unsigned();
        RefusedRelease e = refused(v, release("m", "1.0.9").build(), "1.0.10");
        assertEquals(RefusedRelease.Kind.DOWNGRADE, e.kind());
        assertTrue(e.reason().startsWith("downgrade: "), e.reason());
        assertTrue(e.getMessage().contains("./facestream models release m@1.0.9 --allow-downgrade"), e.getMessage());
        assertEquals(
                RefusedRelease.Kind.DOWNGRADE,
                refused(v, release("m", "1.0.24").build(), "1.0.24-ft.1").kind());
        v.check("m", release("m", "1.0.9").setAllowDowngrade(true).build(), "1.0.10");
        v.check("m", release("m", "1.0.10").build(), "1.0.10"); // the same version again is no downgrade
        v.check("m", release("m", "1.0.11").build(), "1.0.10");
    }

    @Test
    void versionsAreOrderedPartByPartWithSuffixesNewer() {
        List<String> ordered = List.of(
                "0.9",
                "1",
                "1.0",
                "1.0.2",
                "1.0.9",
                "1.0.10",
                "1.0.24",
                "1.0.24-ft.1",
                "1.0.24-ft.2",
                "1.0.24-ft.10",
                "1.0.24-rc",
                "1.0.25",
                "1.1",
                "2",
                "10",
                "99999999999999999999999",
                "100000000000000000000000");
        List<String> shuffled = new ArrayList<>(ordered);
        Collections.shuffle(shuffled, new java.util.Random(3));
        shuffled.sort(ReleaseValidator::compareVersions);
        assertEquals(ordered, shuffled);
        assertEquals(0, ReleaseValidator.compareVersions("1.0", "1.00"));
        assertTrue(ReleaseValidator.compareVersions("1.0.24+build.5", "1.0.24") > 0);
        assertTrue(ReleaseValidator.compareVersions("1.a", "1.9") > 0, "a text part is above a number");
        assertEquals(
                ReleaseValidator.compareVersions("1.0.24-ft.2", "1.0.24-ft.10"),
                ModelStore.compareVersions("1.0.24-ft.2", "1.0.24-ft.10"),
                "the store's newest and the release order agree");
    }

    @Test
    void signaturesAreCheckedWhenAPublicKeyIsSet() {
        KeyPair key = ReleaseSigning.generate();
        KeyPair other = ReleaseSigning.generate();
        ReleaseValidator v = ReleaseValidator.requiringSignatures(key.getPublic());
        ModelRelease plain = release("m", "2").build();

        RefusedRelease missing = refused(v, plain, "1");
        assertEquals(RefusedRelease.Kind.UNSIGNED, missing.kind());
        assertTrue(missing.reason().startsWith("unsigned: "), missing.reason());

        ModelRelease good = ReleaseSigning.sign(plain, key.getPrivate());
        v.check("m", good, "1");
        assertTrue(ReleaseSigning.verify(good, key.getPublic()));
        ReleaseValidator.unsigned().check("m", good, "1"); // without a key a signature is not needed, and does no harm

        assertEquals(
                RefusedRelease.Kind.BAD_SIGNATURE,
                refused(v, ReleaseSigning.sign(plain, other.getPrivate()), "1").kind());
        // every signed field matters
        List<ModelRelease> tampered = List.of(
                good.toBuilder().setVersion("3").build(),
                good.toBuilder()
                        .setSha256(OTHER_SHA)
                        .setFiles(0, good.getFiles(0).toBuilder().setSha256(OTHER_SHA))
                        .build(),
                good.toBuilder()
                        .setFiles(0, good.getFiles(0).toBuilder().setFile("other.onnx"))
                        .build(),
                good.toBuilder()
                        .setFiles(0, good.getFiles(0).toBuilder().setRole("pnet"))
                        .build(),
                good.toBuilder().setAllowDowngrade(true).build(),
                good.toBuilder()
                        .setSignature(com.google.protobuf.ByteString.copyFrom(new byte[64]))
                        .build(),
                good.toBuilder()
                        .setSignature(com.google.protobuf.ByteString.copyFromUtf8("short"))
                        .build());
        for (ModelRelease t : tampered) {
            RefusedRelease e = refused(v, t, "1");
            assertEquals(RefusedRelease.Kind.BAD_SIGNATURE, e.kind(), t.toString());
            assertTrue(e.reason().startsWith("bad-signature: "), e.reason());
        }
        // not covered: where to copy from, when, and the metrics; the files are checked against the signed hashes
        v.check(
                "m",
                good.toBuilder()
                        .setLocation("/elsewhere")
                        .setReleasedTsUs(5)
                        .putMetrics("tar", 0.9)
                        .build(),
                "1");
        // a signed downgrade is still a downgrade; signed with allow_downgrade it passes
        assertEquals(RefusedRelease.Kind.DOWNGRADE, refused(v, good, "3").kind());
        v.check(
                "m",
                ReleaseSigning.sign(plain.toBuilder().setAllowDowngrade(true).build(), key.getPrivate()),
                "3");
    }

    @Test
    void theCanonicalEncodingIgnoresFileOrderButNotBoundaries() {
        ModelRelease a = release("m", "1")
                .addFiles(ModelFileDigest.newBuilder()
                        .setRole("pnet")
                        .setFile("p.onnx")
                        .setSha256(OTHER_SHA))
                .build();
        ModelRelease b = a.toBuilder()
                .clearFiles()
                .addFiles(a.getFiles(1))
                .addFiles(a.getFiles(0))
                .build();
        assertArrayEquals(ReleaseSigning.canonical(a), ReleaseSigning.canonical(b));
        // "ab" + "c" and "a" + "bc" must differ: parts are length-prefixed
        ModelRelease x = ModelRelease.newBuilder().setName("ab").setVersion("c").build();
        ModelRelease y = ModelRelease.newBuilder().setName("a").setVersion("bc").build();
        assertFalse(java.util.Arrays.equals(ReleaseSigning.canonical(x), ReleaseSigning.canonical(y)));
    }

    @Test
    void keygenWritesAPrivateKeyOnlyItsOwnerReadsAndKeysReadBack(@TempDir Path dir) throws Exception {
        KeyPair pair = ReleaseSigning.writeKeyPair(dir.resolve("keys"));
        Path priv = dir.resolve("keys").resolve(ReleaseSigning.PRIVATE_KEY_FILE);
        Path pub = dir.resolve("keys").resolve(ReleaseSigning.PUBLIC_KEY_FILE);
        if (priv.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            assertEquals(
                    Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                    Files.getPosixFilePermissions(priv));
        }
        assertTrue(Files.readString(priv).startsWith("-----BEGIN PRIVATE KEY-----"));
        assertTrue(Files.readString(pub).startsWith("-----BEGIN PUBLIC KEY-----"));
        ModelRelease signed = ReleaseSigning.sign(release("m", "1").build(), ReleaseSigning.readPrivateKey(priv));
        assertTrue(ReleaseSigning.verify(signed, pair.getPublic()));
        assertTrue(ReleaseSigning.verify(signed, ReleaseSigning.readPublicKey(pub)));

        IllegalArgumentException again =
                assertThrows(IllegalArgumentException.class, () -> ReleaseSigning.writeKeyPair(dir.resolve("keys")));
        assertTrue(again.getMessage().contains("exists already"), again.getMessage());

        FacestreamConfig config = FacestreamConfig.builder()
                .isolated()
                .flag(ReleaseValidator.PUBLIC_KEY_KEY, pub.toString())
                .build();
        assertTrue(ReleaseValidator.fromConfig(config).requiresSignatures());
        assertFalse(ReleaseValidator.fromConfig(
                        FacestreamConfig.builder().isolated().build())
                .requiresSignatures());
        // the private key where the public one belongs: a clear error at start, not a silent "unsigned"
        FacestreamConfig swapped = FacestreamConfig.builder()
                .isolated()
                .flag(ReleaseValidator.PUBLIC_KEY_KEY, priv.toString())
                .build();
        IllegalArgumentException wrong =
                assertThrows(IllegalArgumentException.class, () -> ReleaseValidator.fromConfig(swapped));
        assertTrue(wrong.getMessage().contains("models.signing.public-key"), wrong.getMessage());
        Files.writeString(
                dir.resolve("garbage.pub"),
                "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
                StandardCharsets.US_ASCII);
        assertThrows(IllegalArgumentException.class, () -> ReleaseSigning.readPublicKey(dir.resolve("garbage.pub")));
    }

    @Test
    void theStoreNeverReadsOrWritesOutsideItsRoot(@TempDir Path dir) throws Exception {
        ModelStore store = new ModelStore(dir.resolve("store"));
        Path weights = Files.writeString(dir.resolve("w.onnx"), "weights");
        ModelManifest.ModelFile file =
                new ModelManifest.ModelFile("main", "../../escaped.onnx", "", List.of(), List.of());
        ModelManifest escaping =
                new ModelManifest("m", "1", ModelManifest.Kind.EMBEDDER, List.of(file), null, null, null, null, null);
        assertThrows(RefusedRelease.class, () -> store.install(escaping, Map.of("main", weights)));
        ModelManifest escapingVersion = new ModelManifest(
                "m",
                "../../../x",
                ModelManifest.Kind.EMBEDDER,
                List.of(new ModelManifest.ModelFile("main", "w.onnx", "", List.of(), List.of())),
                null,
                null,
                null,
                null,
                null);
        assertThrows(RefusedRelease.class, () -> store.install(escapingVersion, Map.of("main", weights)));
        assertFalse(Files.exists(dir.resolve("escaped.onnx")));
        assertFalse(Files.exists(dir.resolve("x")));
        assertThrows(RefusedRelease.class, () -> store.load("..", "1"));

        ModelManifest fine = new ModelManifest(
                "m",
                "1",
                ModelManifest.Kind.EMBEDDER,
                List.of(new ModelManifest.ModelFile("main", "w.onnx", "", List.of(), List.of())),
                null,
                null,
                null,
                null,
                null);
        ModelStore.InstalledModel installed = store.install(fine, Map.of("main", weights));
        assertEquals(store.root().toAbsolutePath().normalize().resolve("m").resolve("1"), installed.dir());
    }

    @Test
    void releasedFilesMustHaveTheSignedHashesBeforeTheyEnterTheStore(@TempDir Path dir) throws Exception {
        ModelStore shared = new ModelStore(dir.resolve("shared"));
        Path weights = Files.writeString(dir.resolve("w.onnx"), "weights");
        ModelStore.InstalledModel source = shared.install(
                new ModelManifest(
                        "m",
                        "2",
                        ModelManifest.Kind.EMBEDDER,
                        List.of(new ModelManifest.ModelFile("main", "w.onnx", "", List.of(), List.of())),
                        null,
                        null,
                        null,
                        null,
                        null),
                Map.of("main", weights));
        String sha = source.manifest().file("main").sha256();
        ModelStore local = new ModelStore(dir.resolve("local"));
        ModelRelease good = ModelRelease.newBuilder()
                .setName("m")
                .setVersion("2")
                .setSha256(sha)
                .setLocation(source.dir().toString())
                .addFiles(ModelFileDigest.newBuilder()
                        .setRole("main")
                        .setFile("w.onnx")
                        .setSha256(sha))
                .build();

        ModelRelease wrongHash = good.toBuilder()
                .setSha256(OTHER_SHA)
                .setFiles(0, good.getFiles(0).toBuilder().setSha256(OTHER_SHA))
                .build();
        RefusedRelease e = assertThrows(RefusedRelease.class, () -> ReleasedModel.install(local, wrongHash));
        assertEquals(RefusedRelease.Kind.HASH_MISMATCH, e.kind());
        ModelRelease wrongName = good.toBuilder()
                .setFiles(0, good.getFiles(0).toBuilder().setFile("x.onnx"))
                .build();
        assertEquals(
                RefusedRelease.Kind.HASH_MISMATCH,
                assertThrows(RefusedRelease.class, () -> ReleasedModel.install(local, wrongName))
                        .kind());
        ModelRelease otherVersion = good.toBuilder().setVersion("3").build();
        assertThrows(RuntimeException.class, () -> ReleasedModel.install(local, otherVersion));
        assertFalse(Files.exists(local.root().resolve("m").resolve("2")), "nothing entered the store");
        assertFalse(Files.exists(local.root().resolve("m").resolve("3")), "nothing entered the store");

        assertEquals("m@2", ReleasedModel.install(local, good).manifest().id());
        assertTrue(Files.isRegularFile(local.root().resolve("m").resolve("2").resolve("w.onnx")));
    }
}
