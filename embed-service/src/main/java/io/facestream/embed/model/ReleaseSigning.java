package io.facestream.embed.model;

import io.facestream.core.events.ModelFileDigest;
import io.facestream.core.events.ModelRelease;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;

/**
 * Ed25519 signatures of model releases, with the JDK's own provider. The signature covers
 * {@link #canonical(ModelRelease) a canonical encoding} of what decides which weights run: the name, the version, the
 * announced sha256, every file's role, name and sha256, and allow_downgrade. The location, metrics and timestamps are
 * not covered: files are checked against the signed hashes wherever they come from.
 *
 * <p>Keys are PEM files: the private key as PKCS#8 ({@code BEGIN PRIVATE KEY}), the public key as X.509
 * SubjectPublicKeyInfo ({@code BEGIN PUBLIC KEY}), as {@code openssl genpkey -algorithm ed25519} writes them.
 */
public final class ReleaseSigning {
    public static final String ALGORITHM = "Ed25519";
    public static final String PRIVATE_KEY_FILE = "model-signing.key";
    public static final String PUBLIC_KEY_FILE = "model-signing.pub";
    /** A version tag at the start of the signed bytes, so that a later encoding cannot be confused with this one. */
    private static final String DOMAIN = "facestream.model-release.v1";

    private ReleaseSigning() {}

    /**
     * The signed bytes: each part as a 4-byte big-endian length and its UTF-8 bytes, so that no choice of names can
     * make two different releases encode alike. Files are in role order (the order on the wire does not matter).
     */
    public static byte[] canonical(ModelRelease release) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        part(out, DOMAIN);
        part(out, release.getName());
        part(out, release.getVersion());
        part(out, release.getSha256().toLowerCase(java.util.Locale.ROOT));
        List<ModelFileDigest> files = release.getFilesList().stream()
                .sorted(Comparator.comparing(ModelFileDigest::getRole).thenComparing(ModelFileDigest::getFile))
                .toList();
        part(out, Integer.toString(files.size()));
        for (ModelFileDigest f : files) {
            part(out, f.getRole());
            part(out, f.getFile());
            part(out, f.getSha256().toLowerCase(java.util.Locale.ROOT));
        }
        part(out, Boolean.toString(release.getAllowDowngrade()));
        return out.toByteArray();
    }

    private static void part(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write(b.length >>> 24);
        out.write(b.length >>> 16);
        out.write(b.length >>> 8);
        out.write(b.length);
        out.writeBytes(b);
    }

    /** The release with its signature set (any earlier signature replaced). */
    public static ModelRelease sign(ModelRelease release, PrivateKey key) {
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initSign(key);
            s.update(canonical(release));
            return release.toBuilder()
                    .setSignature(com.google.protobuf.ByteString.copyFrom(s.sign()))
                    .build();
        } catch (InvalidKeyException e) {
            throw new IllegalArgumentException(
                    "models.signing.private-key is not an Ed25519 private key: " + e.getMessage()
                            + "; make a key pair with ./facestream models keygen DIR",
                    e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign release " + release.getName() + "@" + release.getVersion(), e);
        }
    }

    /** Whether the release carries a valid signature by {@code key}. */
    public static boolean verify(ModelRelease release, PublicKey key) {
        if (release.getSignature().isEmpty()) {
            return false;
        }
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initVerify(key);
            s.update(canonical(release));
            return s.verify(release.getSignature().toByteArray());
        } catch (SignatureException e) {
            return false; // malformed signature bytes
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(
                    "cannot verify release " + release.getName() + "@" + release.getVersion(), e);
        }
    }

    /** A new key pair. */
    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no " + ALGORITHM, e);
        }
    }

    /**
     * Writes a new key pair into {@code dir} as {@value #PRIVATE_KEY_FILE} (owner read/write only, where the file
     * system has POSIX permissions) and {@value #PUBLIC_KEY_FILE}; refuses to overwrite either.
     */
    public static KeyPair writeKeyPair(Path dir) {
        Path priv = dir.resolve(PRIVATE_KEY_FILE);
        Path pub = dir.resolve(PUBLIC_KEY_FILE);
        for (Path p : List.of(priv, pub)) {
            if (Files.exists(p)) {
                throw new IllegalArgumentException(
                        p + " exists already: keep it, or move it away to make a new key pair");
            }
        }
        KeyPair pair = generate();
        try {
            Files.createDirectories(dir);
            // created with mode 600, so the key is never readable by others, not even for a moment
            if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.createFile(
                        priv, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } else {
                Files.createFile(priv);
            }
            Files.writeString(priv, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
            Files.writeString(pub, pem("PUBLIC KEY", pair.getPublic().getEncoded()));
        } catch (FileAlreadyExistsException e) {
            throw new IllegalArgumentException(
                    e.getFile() + " exists already: keep it, or move it away to make a new key pair", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the key pair into " + dir, e);
        }
        return pair;
    }

    public static PrivateKey readPrivateKey(Path file) {
        byte[] der = der(file, "PRIVATE KEY", "models.signing.private-key");
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(
                    "models.signing.private-key " + file + " is not an Ed25519 private key (" + e.getMessage()
                            + "); make a key pair with ./facestream models keygen DIR",
                    e);
        }
    }

    public static PublicKey readPublicKey(Path file) {
        byte[] der = der(file, "PUBLIC KEY", "models.signing.public-key");
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(
                    "models.signing.public-key " + file + " is not an Ed25519 public key (" + e.getMessage()
                            + "); use the " + PUBLIC_KEY_FILE + " that ./facestream models keygen DIR wrote",
                    e);
        }
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    private static byte[] der(Path file, String type, String key) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    key + " " + file + " cannot be read (" + e.getMessage()
                            + "); set it to a key file that ./facestream models keygen DIR wrote",
                    e);
        }
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int b = text.indexOf(begin);
        int e = text.indexOf(end);
        if (b < 0 || e < b) {
            throw new IllegalArgumentException(key + " " + file + " is not a PEM file with a '" + begin
                    + "' block; set it to a key file that ./facestream models keygen DIR wrote");
        }
        try {
            return Base64.getMimeDecoder().decode(text.substring(b + begin.length(), e));
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException(
                    key + " " + file + " has a damaged PEM block (" + ex.getMessage() + ")", ex);
        }
    }
}
