package io.facestream.ops.models;

import io.facestream.embed.model.ReleaseSigning;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code facestream models keygen DIR}: an Ed25519 key pair for signing model releases (docs/models.md#release-integrity):
 * {@code DIR/model-signing.key} (mode 600) for {@code models.signing.private-key} and {@code DIR/model-signing.pub}
 * for {@code models.signing.public-key}.
 */
@Command(
        name = "keygen",
        mixinStandardHelpOptions = true,
        description = "Write an Ed25519 key pair for signing model releases (private key mode 600).")
public final class KeygenCommand implements Runnable {
    @Parameters(
            paramLabel = "DIR",
            description =
                    "Directory for model-signing.key and model-signing.pub (created if missing; existing keys are never overwritten)")
    Path dir;

    @Override
    public void run() {
        ReleaseSigning.writeKeyPair(dir);
        Path priv = dir.resolve(ReleaseSigning.PRIVATE_KEY_FILE).toAbsolutePath();
        Path pub = dir.resolve(ReleaseSigning.PUBLIC_KEY_FILE).toAbsolutePath();
        System.out.println("private key: " + priv + " (mode 600; keep it where releases are made, nowhere else)");
        System.out.println("public key:  " + pub);
        System.out.println("trainer and `models release`:  --set models.signing.private-key=" + priv);
        System.out.println("embed and match services:      --set models.signing.public-key=" + pub);
    }
}
