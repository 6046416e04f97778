package io.facestream.embed.model;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.events.ModelFileDigest;
import io.facestream.core.events.ModelRelease;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Decides whether a {@code ModelRelease} from {@code facestream.models} may be installed and served, before anything
 * is written: the embed service and the match service both ask this one class (docs/models.md#release-integrity).
 *
 * <ul>
 *   <li>the name and version are one path segment each of a safe charset ({@link #NAME}, {@link #VERSION}), never
 *       {@code .} or {@code ..}, and the name is the record's key;</li>
 *   <li>the sha256 is required (64 hex digits), as is each listed file's; file names are one safe path segment;</li>
 *   <li>with {@code models.signing.public-key} set, the release must carry a valid Ed25519 signature by that key
 *       ({@link ReleaseSigning});</li>
 *   <li>a version lower than the current one ({@link #compareVersions}) is a downgrade, refused unless the
 *       release carries {@code allow_downgrade}.</li>
 * </ul>
 *
 * The files themselves are checked against these hashes when they are installed ({@link ReleasedModel}).
 */
public final class ReleaseValidator {
    public static final String PUBLIC_KEY_KEY = "models.signing.public-key";
    public static final String PRIVATE_KEY_KEY = "models.signing.private-key";

    /**
     * Model names: a letter or digit, then letters, digits, underscore or dash; at most 64 characters (the gallery's
     * {@code ModelVersion} takes the same).
     */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");
    /** Versions: like names, plus {@code +} (SemVer build metadata). */
    public static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,63}");
    /** File names inside a model directory: one path segment. */
    public static final Pattern FILE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    /** File roles (main, pnet, ...). */
    public static final Pattern ROLE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,31}");

    private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");

    private final PublicKey publicKey;

    private ReleaseValidator(PublicKey publicKey) {
        this.publicKey = publicKey;
    }

    /** Signatures are not checked (none configured); every other check applies. */
    public static ReleaseValidator unsigned() {
        return new ReleaseValidator(null);
    }

    /** Only releases signed by {@code key} pass. */
    public static ReleaseValidator requiringSignatures(PublicKey key) {
        return new ReleaseValidator(java.util.Objects.requireNonNull(key, "key"));
    }

    /** From {@value #PUBLIC_KEY_KEY}: empty = signatures not checked. */
    public static ReleaseValidator fromConfig(FacestreamConfig config) {
        String key = config.getString(PUBLIC_KEY_KEY, "").trim();
        return key.isEmpty()
                ? unsigned()
                : requiringSignatures(ReleaseSigning.readPublicKey(config.getPath(PUBLIC_KEY_KEY)));
    }

    public boolean requiresSignatures() {
        return publicKey != null;
    }

    /**
     * Checks a release read under {@code key} against the version served now ({@code currentVersion}; null when
     * there is none, then no downgrade is possible).
     *
     * @throws RefusedRelease naming what is wrong
     */
    public void check(String key, ModelRelease release, String currentVersion) {
        String id = release.getName() + "@" + release.getVersion();
        checkName(release.getName());
        if (key != null && !key.equals(release.getName())) {
            throw new RefusedRelease(
                    RefusedRelease.Kind.INVALID,
                    "release " + id + " was published under the key '" + key
                            + "'; a release's key must be its model name");
        }
        checkVersion(release.getVersion());
        checkSha256(id, "sha256", release.getSha256());
        Set<String> roles = new HashSet<>();
        boolean announcedIsListed = release.getFilesCount() == 0;
        for (ModelFileDigest f : release.getFilesList()) {
            if (!ROLE.matcher(f.getRole()).matches()) {
                throw new RefusedRelease(
                        RefusedRelease.Kind.INVALID,
                        "release " + id + " names a file role '" + f.getRole() + "' outside " + ROLE.pattern());
            }
            if (!roles.add(f.getRole())) {
                throw new RefusedRelease(
                        RefusedRelease.Kind.INVALID, "release " + id + " lists role '" + f.getRole() + "' twice");
            }
            checkFileName(id, f.getFile());
            checkSha256(id, "sha256 of " + f.getFile(), f.getSha256());
            announcedIsListed |= f.getSha256().equalsIgnoreCase(release.getSha256());
        }
        if (!announcedIsListed) {
            throw new RefusedRelease(
                    RefusedRelease.Kind.INVALID,
                    "release " + id + " announces sha256 " + release.getSha256()
                            + " but none of its listed files has it");
        }
        if (publicKey != null) {
            if (release.getSignature().isEmpty()) {
                throw new RefusedRelease(
                        RefusedRelease.Kind.UNSIGNED,
                        "release " + id + " is not signed, and " + PUBLIC_KEY_KEY
                                + " requires signed releases: publish it with " + PRIVATE_KEY_KEY + " set");
            }
            if (!ReleaseSigning.verify(release, publicKey)) {
                throw new RefusedRelease(
                        RefusedRelease.Kind.BAD_SIGNATURE,
                        "release " + id + " has a signature that does not " + "verify with " + PUBLIC_KEY_KEY
                                + " (signed by another key, or changed after signing)");
            }
        }
        if (currentVersion != null
                && compareVersions(release.getVersion(), currentVersion) < 0
                && !release.getAllowDowngrade()) {
            throw new RefusedRelease(
                    RefusedRelease.Kind.DOWNGRADE,
                    "release " + id + " is older than the current version "
                            + currentVersion + "; to roll back on purpose, release it with ./facestream models release "
                            + id + " --allow-downgrade");
        }
    }

    public static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new RefusedRelease(
                    RefusedRelease.Kind.INVALID,
                    "model name '" + printable(name) + "' is not allowed: use " + NAME.pattern());
        }
    }

    public static void checkVersion(String version) {
        if (version == null || !VERSION.matcher(version).matches() || version.contains("..")) {
            throw new RefusedRelease(
                    RefusedRelease.Kind.INVALID,
                    "model version '" + printable(version) + "' is not allowed: use " + VERSION.pattern()
                            + " without '..'");
        }
    }

    public static void checkFileName(String model, String file) {
        if (file == null
                || !FILE.matcher(file).matches()
                || file.contains("..")
                || file.equals(ModelManifest.FILE_NAME)) {
            throw new RefusedRelease(
                    RefusedRelease.Kind.INVALID,
                    "model " + model + " names a file '" + printable(file) + "' that is not one plain file name ("
                            + FILE.pattern() + ", not '..' or " + ModelManifest.FILE_NAME + ")");
        }
    }

    private static void checkSha256(String model, String what, String sha) {
        if (!SHA256.matcher(sha).matches()) {
            throw new RefusedRelease(
                    RefusedRelease.Kind.INVALID,
                    "release " + model + " has " + what + " '" + printable(sha) + "': 64 hex digits are required");
        }
    }

    /**
     * {@code root/segments...}, refused unless it stays inside {@code root} once normalised (the segments were checked
     * above; this is the second wall).
     */
    public static Path inside(Path root, String... segments) {
        Path base = root.toAbsolutePath().normalize();
        Path p = base;
        for (String s : segments) {
            p = p.resolve(s);
        }
        p = p.normalize();
        if (!p.startsWith(base) || p.equals(base)) {
            throw new RefusedRelease(
                    RefusedRelease.Kind.INVALID,
                    String.join("/", segments) + " resolves to " + p + ", outside the model store " + base);
        }
        return p;
    }

    /**
     * Orders versions, "semantic-ish": split at {@code .}, {@code -} and {@code +}; compare part by part, two numeric
     * parts as numbers (of any length), a numeric part below a text part, two text parts in ASCII order; when one
     * version's parts are a prefix of the other's, the longer one is newer. So {@code 1.0.10 > 1.0.9}, and
     * {@code 1.0.24-ft.2 > 1.0.24-ft.1 > 1.0.24}: unlike SemVer pre-releases, a suffix makes a version newer,
     * because the trainer names a fine-tune {@code <base version>-ft.<n>}. {@code 1.0} and {@code 1.00} are equal.
     */
    public static int compareVersions(String a, String b) {
        String[] x = a.split("[.+-]");
        String[] y = b.split("[.+-]");
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            int c = comparePart(x[i], y[i]);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(x.length, y.length);
    }

    private static int comparePart(String a, String b) {
        boolean an = isNumber(a);
        boolean bn = isNumber(b);
        if (an && bn) {
            String sa = a.replaceFirst("^0+(?=.)", "");
            String sb = b.replaceFirst("^0+(?=.)", "");
            return sa.length() != sb.length() ? Integer.compare(sa.length(), sb.length()) : sa.compareTo(sb);
        }
        if (an != bn) {
            return an ? -1 : 1;
        }
        return a.compareTo(b);
    }

    private static boolean isNumber(String s) {
        return !s.isEmpty() && s.chars().allMatch(ch -> ch >= '0' && ch <= '9');
    }

    /** Names come from the wire: control characters are shown escaped, and a long one is cut, in messages and logs. */
    private static String printable(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 100; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return s.length() > 100 ? b + "..." : b.toString();
    }

    /** Why a release was refused; {@link #kind()} is the short code in the dead letter's reason. */
    public static final class RefusedRelease extends ModelException {
        public enum Kind {
            INVALID("invalid"),
            UNSIGNED("unsigned"),
            BAD_SIGNATURE("bad-signature"),
            DOWNGRADE("downgrade"),
            HASH_MISMATCH("hash-mismatch");

            private final String code;

            Kind(String code) {
                this.code = code;
            }

            public String code() {
                return code;
            }
        }

        private final Kind kind;

        public RefusedRelease(Kind kind, String message) {
            super(message);
            this.kind = kind;
        }

        public Kind kind() {
            return kind;
        }

        /** The dead letter's reason: {@code <code>: <message>}. */
        public String reason() {
            return kind.code() + ": " + getMessage();
        }
    }
}
