package io.facestream.ops.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.events.ModelRelease;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import io.facestream.embed.model.ModelManifest;
import io.facestream.embed.model.ModelStore;
import io.facestream.embed.model.ReleaseSigning;
import io.facestream.embed.model.ReleaseValidator;
import io.facestream.embed.model.zoo.ModelZoo;
import io.facestream.ops.FacestreamCli;
import io.facestream.trainer.release.ReleasedModels;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code facestream models keygen} and {@code models release}: a signed release listing every file, a roll-back that
 * needs {@code --allow-downgrade}, and the flag carried in the signed release.
 */
@KafkaBroker
class ModelReleaseCommandTest {

    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int exit;
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            exit = FacestreamCli.run(args);
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        return new Run(exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    @Test
    void signedReleasesAndARollBackThatMustBeAllowed(@KafkaBroker.Bootstrap String bootstrap, @TempDir Path dir)
            throws Exception {
        String model = "cli" + UUID.randomUUID().toString().substring(0, 6);
        ModelStore store = new ModelStore(dir.resolve("store"));
        ModelStore.InstalledModel base = ModelZoo.ensure(ModelZoo.defaultStore(), "mobilefacenet");
        for (String v : new String[] {"1", "2"}) {
            ModelManifest m = base.manifest();
            Map<String, Path> files = new HashMap<>();
            m.files().forEach(f -> files.put(f.role(), base.dir().resolve(f.file())));
            store.install(
                    new ModelManifest(
                            model,
                            v,
                            m.kind(),
                            m.files(),
                            m.input(),
                            m.embedding(),
                            m.source(),
                            m.licence(),
                            m.notes()),
                    files);
        }
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
        }

        Run keygen = run("models", "keygen", dir.resolve("keys").toString());
        assertEquals(0, keygen.exit(), keygen.err());
        Path priv = dir.resolve("keys").resolve(ReleaseSigning.PRIVATE_KEY_FILE);
        Path pub = dir.resolve("keys").resolve(ReleaseSigning.PUBLIC_KEY_FILE);
        assertTrue(keygen.out().contains("models.signing.public-key=" + pub.toAbsolutePath()), keygen.out());
        if (priv.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(priv)));
        }
        Run twice = run("models", "keygen", dir.resolve("keys").toString());
        assertEquals(1, twice.exit());
        assertTrue(twice.err().contains("exists already"), twice.err());
        ReleaseValidator services = ReleaseValidator.requiringSignatures(ReleaseSigning.readPublicKey(pub));

        String[] common = {
            "--dir", store.root().toString(), "--bootstrap", bootstrap, "--set", "models.signing.private-key=" + priv
        };
        Run up = run(concat(new String[] {"models", "release", model + "@2"}, common));
        assertEquals(0, up.exit(), up.err());
        assertTrue(up.out().contains("released " + model + "@2 (was none), signed"), up.out());
        ModelRelease two =
                ReleasedModels.current(bootstrap, model, Duration.ofSeconds(30)).orElseThrow();
        assertEquals("2", two.getVersion());
        assertFalse(two.getAllowDowngrade());
        assertEquals(base.manifest().files().size(), two.getFilesCount());
        assertEquals(base.manifest().file("main").sha256(), two.getFiles(0).getSha256());
        services.check(model, two, "1");

        Run refused = run(concat(new String[] {"models", "release", model + "@1"}, common));
        assertEquals(1, refused.exit());
        assertTrue(refused.err().contains("add --allow-downgrade"), refused.err());
        assertEquals(
                "2",
                ReleasedModels.current(bootstrap, model, Duration.ofSeconds(30))
                        .orElseThrow()
                        .getVersion(),
                "nothing released");

        Run back = run(concat(new String[] {"models", "release", model + "@1", "--allow-downgrade"}, common));
        assertEquals(0, back.exit(), back.err());
        assertTrue(back.out().contains("(was 2), downgrade allowed, signed"), back.out());
        ModelRelease one =
                ReleasedModels.current(bootstrap, model, Duration.ofSeconds(30)).orElseThrow();
        assertTrue(one.getAllowDowngrade());
        assertEquals("2", one.getPreviousVersion());
        services.check(model, one, "2"); // the services take the roll-back: allowed, and signed with the flag in it

        Run traversal = run(concat(new String[] {"models", "release", "../" + model + "@1"}, common));
        assertEquals(1, traversal.exit());
        assertTrue(traversal.err().contains("model name"), traversal.err());

        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(KafkaClients.producer(bootstrap, "cli-" + model))) {
            producer.send(new ProducerRecord<>(TopicCatalog.MODELS, model, null))
                    .get();
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
