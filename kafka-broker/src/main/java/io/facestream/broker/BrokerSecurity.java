package io.facestream.broker;

import io.facestream.core.kafka.KafkaConnection;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The security material of a secure embedded broker, kept in one directory and made on first use:
 *
 * <ul>
 *   <li>{@code ca.pem}: the certificate of a private CA (its key in {@code ca.p12}), which clients trust;
 *   <li>{@code broker.p12}: the broker's key and certificate (CN=broker, for 127.0.0.1 and localhost), signed by the CA;
 *   <li>{@code secrets.properties}: the key store passwords and one SCRAM-SHA-512 password per user;
 *   <li>{@code client-<user>.properties}: the Java client properties of each user ({@code security.protocol=SASL_SSL},
 *       {@code sasl.mechanism}, {@code sasl.jaas.config}, {@code ssl.truststore.*}), for {@code kafka.properties-file}.
 * </ul>
 *
 * Everything but {@code ca.pem} is readable by its owner only (mode 600, the directory 700). A directory made before
 * is reused as it is (users missing from it get a password); a broker certificate that expires within 30 days is
 * issued again. Certificates are made by the JDK's {@code keytool}, run as a child process; passwords reach it
 * through its environment, never its command line, and are never logged.
 *
 * <p>The broker authenticates clients with SCRAM-SHA-512 over TLS; the broker itself (inter-broker and controller
 * traffic) with its certificate over mutual TLS as {@code User:broker}, the one super user. The SCRAM users are
 * created through the admin API ({@link #upsertUsers}) on every start.
 */
public final class BrokerSecurity {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerSecurity.class);
    public static final String MECHANISM = "SCRAM-SHA-512";
    /** The principal of the broker's own certificate, and the one super user. */
    public static final String BROKER_PRINCIPAL = "broker";

    private static final Pattern USER = Pattern.compile("[a-z][a-z0-9-]{0,63}");
    private static final int SCRAM_ITERATIONS = 8192;
    private static final Duration RENEW_BEFORE = Duration.ofDays(30);
    private static final int CA_DAYS = 3650;
    private static final int BROKER_DAYS = 825;
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final Path dir;
    private final List<String> users;
    private final Map<String, String> secrets;

    private BrokerSecurity(Path dir, List<String> users, Map<String, String> secrets) {
        this.dir = dir;
        this.users = List.copyOf(users);
        this.secrets = Map.copyOf(secrets);
    }

    /**
     * Makes (or reuses) the CA, the broker certificate and a password per user in {@code dir}, and writes each user's
     * {@code client-<user>.properties}.
     *
     * @param users SCRAM user names: lower case letters, digits and dashes ({@code ingest}, {@code embed}, ...)
     */
    public static BrokerSecurity prepare(Path dir, Collection<String> users) {
        for (String u : users) {
            if (!USER.matcher(u).matches() || u.equals(BROKER_PRINCIPAL)) {
                throw new IllegalArgumentException("not a SCRAM user name for facestream: '" + u + "'");
            }
        }
        Path abs = dir.toAbsolutePath().normalize();
        try {
            Files.createDirectories(abs);
            setPermissions(abs, PosixFilePermissions.fromString("rwx------"));
            Path secretsFile = abs.resolve("secrets.properties");
            Map<String, String> secrets = new TreeMap<>(
                    Files.exists(secretsFile) ? KafkaConnection.readProperties(secretsFile, "secrets file") : Map.of());
            boolean changed = false;
            List<String> keys = new ArrayList<>(List.of("ca.password", "broker.keystore.password"));
            users.forEach(u -> keys.add("user." + u + ".password"));
            for (String key : keys) {
                if (secrets.get(key) == null || secrets.get(key).isEmpty()) {
                    secrets.put(key, newPassword());
                    changed = true;
                }
            }
            if (changed) {
                StringBuilder text = new StringBuilder(
                        "# facestream kafka --secure: key store passwords and SCRAM passwords. Keep it secret.\n");
                secrets.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
                writeOwnerOnly(secretsFile, text.toString());
            }
            BrokerSecurity s = new BrokerSecurity(abs, List.copyOf(users), secrets);
            s.ensureCertificates();
            for (String u : users) {
                s.writeClientProperties(u);
            }
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot prepare the Kafka security directory " + abs + ": " + e.getMessage(), e);
        }
    }

    public Path dir() {
        return dir;
    }

    /** The SCRAM users, in the order given. */
    public List<String> users() {
        return users;
    }

    /** The CA certificate clients trust (PEM). */
    public Path caPem() {
        return dir.resolve("ca.pem");
    }

    /** {@code client-<user>.properties}: that user's client properties, for {@code kafka.properties-file}. */
    public Path clientPropertiesFile(String user) {
        return dir.resolve("client-" + user + ".properties");
    }

    /** The client properties of {@code user}: SASL_SSL with SCRAM-SHA-512, trusting {@link #caPem()}. */
    public Map<String, String> clientProperties(String user) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("security.protocol", "SASL_SSL");
        p.put("sasl.mechanism", MECHANISM);
        p.put(
                "sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user + "\" password=\""
                        + password(user) + "\";");
        p.put("ssl.truststore.type", "PEM");
        p.put("ssl.truststore.location", caPem().toString());
        return p;
    }

    /** The broker's own client properties (mutual TLS as the super user), for the listener the broker names internal. */
    public Map<String, String> superUserProperties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("security.protocol", "SSL");
        p.putAll(keyStore());
        return p;
    }

    /**
     * Broker settings for three listeners: {@code clientsListener} (SASL_SSL, SCRAM-SHA-512), and
     * {@code internalListener} and {@code controllerListener} (SSL with client certificates required); the
     * StandardAuthorizer with {@code User:broker} as the one super user and no access where no ACL allows it.
     */
    Map<String, String> brokerProperties(String clientsListener, String internalListener, String controllerListener) {
        Map<String, String> p = new LinkedHashMap<>(keyStore());
        p.put("ssl.principal.mapping.rules", "RULE:^CN=([a-zA-Z0-9._-]+),O=facestream$/$1/,DEFAULT");
        p.put("listener.name." + internalListener.toLowerCase() + ".ssl.client.auth", "required");
        p.put("listener.name." + controllerListener.toLowerCase() + ".ssl.client.auth", "required");
        p.put("sasl.enabled.mechanisms", MECHANISM);
        p.put(
                "listener.name." + clientsListener.toLowerCase() + "." + MECHANISM.toLowerCase() + ".sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        p.put("super.users", "User:" + BROKER_PRINCIPAL);
        p.put("allow.everyone.if.no.acl.found", "false");
        return p;
    }

    private Map<String, String> keyStore() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("ssl.keystore.type", "PKCS12");
        p.put("ssl.keystore.location", dir.resolve("broker.p12").toString());
        p.put("ssl.keystore.password", secrets.get("broker.keystore.password"));
        p.put("ssl.key.password", secrets.get("broker.keystore.password"));
        p.put("ssl.truststore.type", "PEM");
        p.put("ssl.truststore.location", caPem().toString());
        return p;
    }

    /** Creates or updates every user's SCRAM-SHA-512 credential (through a super user's admin client). */
    public void upsertUsers(Admin admin) {
        List<UserScramCredentialAlteration> upserts = new ArrayList<>();
        for (String u : users) {
            upserts.add(new UserScramCredentialUpsertion(
                    u, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, SCRAM_ITERATIONS), password(u)));
        }
        try {
            admin.alterUserScramCredentials(upserts).all().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the SCRAM users " + users + ": " + rootMessage(e), e);
        }
    }

    private String password(String user) {
        String p = secrets.get("user." + user + ".password");
        if (p == null) {
            throw new IllegalArgumentException("no SCRAM user '" + user + "' in " + dir);
        }
        return p;
    }

    private void writeClientProperties(String user) throws IOException {
        StringBuilder text = new StringBuilder();
        text.append("# Kafka client properties of facestream user '")
                .append(user)
                .append("' (written by facestream kafka --secure).\n");
        text.append("# Use: --set kafka.properties-file=")
                .append(clientPropertiesFile(user))
                .append(". Keep it secret.\n");
        clientProperties(user)
                .forEach((k, v) -> text.append(k)
                        .append('=')
                        .append(v.replace("\\", "\\\\"))
                        .append('\n'));
        writeOwnerOnly(clientPropertiesFile(user), text.toString());
    }

    // ---- certificates (keytool) ----

    private void ensureCertificates() throws IOException {
        Path ca = dir.resolve("ca.p12");
        if (!Files.exists(ca)) {
            Path tmp = dir.resolve("ca.p12.tmp");
            Files.deleteIfExists(tmp);
            keytool(
                    "-genkeypair",
                    "-alias",
                    "ca",
                    "-keyalg",
                    "EC",
                    "-groupname",
                    "secp256r1",
                    "-dname",
                    "CN=facestream CA,O=facestream",
                    "-ext",
                    "bc:c",
                    "-ext",
                    "KU=keyCertSign,cRLSign",
                    "-validity",
                    Integer.toString(CA_DAYS),
                    "-keystore",
                    tmp.toString(),
                    "-storetype",
                    "PKCS12",
                    "-storepass:env",
                    "FS_CA_PASSWORD");
            setPermissions(tmp, OWNER_ONLY);
            Files.move(tmp, ca, StandardCopyOption.ATOMIC_MOVE);
            Files.deleteIfExists(caPem());
            Files.deleteIfExists(dir.resolve("broker.p12")); // a new CA: the broker's certificate must be signed by it
            LOG.info("made a certificate authority in {}", dir);
        }
        if (!Files.exists(caPem())) {
            Path tmp = dir.resolve("ca.pem.tmp");
            Files.deleteIfExists(tmp);
            keytool(
                    "-exportcert",
                    "-rfc",
                    "-alias",
                    "ca",
                    "-keystore",
                    ca.toString(),
                    "-storepass:env",
                    "FS_CA_PASSWORD",
                    "-file",
                    tmp.toString());
            Files.move(tmp, caPem(), StandardCopyOption.ATOMIC_MOVE);
        }
        Path broker = dir.resolve("broker.p12");
        if (Files.exists(broker) && expiresSoon(broker)) {
            LOG.info(
                    "the broker certificate in {} expires within {} days: issuing a new one",
                    dir,
                    RENEW_BEFORE.toDays());
            Files.delete(broker);
        }
        if (!Files.exists(broker)) {
            Path tmp = dir.resolve("broker.p12.tmp");
            Path csr = dir.resolve("broker.csr.tmp");
            Path crt = dir.resolve("broker.pem.tmp");
            for (Path p : List.of(tmp, csr, crt)) {
                Files.deleteIfExists(p);
            }
            try {
                keytool(
                        "-genkeypair",
                        "-alias",
                        BROKER_PRINCIPAL,
                        "-keyalg",
                        "EC",
                        "-groupname",
                        "secp256r1",
                        "-dname",
                        "CN=" + BROKER_PRINCIPAL + ",O=facestream",
                        "-validity",
                        Integer.toString(BROKER_DAYS),
                        "-keystore",
                        tmp.toString(),
                        "-storetype",
                        "PKCS12",
                        "-storepass:env",
                        "FS_KEYSTORE_PASSWORD");
                setPermissions(tmp, OWNER_ONLY);
                keytool(
                        "-certreq",
                        "-alias",
                        BROKER_PRINCIPAL,
                        "-keystore",
                        tmp.toString(),
                        "-storepass:env",
                        "FS_KEYSTORE_PASSWORD",
                        "-file",
                        csr.toString());
                keytool(
                        "-gencert",
                        "-rfc",
                        "-alias",
                        "ca",
                        "-keystore",
                        ca.toString(),
                        "-storepass:env",
                        "FS_CA_PASSWORD",
                        "-infile",
                        csr.toString(),
                        "-outfile",
                        crt.toString(),
                        "-validity",
                        Integer.toString(BROKER_DAYS),
                        "-ext",
                        "SAN=dns:localhost,ip:127.0.0.1,ip:::1",
                        "-ext",
                        "EKU=serverAuth,clientAuth",
                        "-ext",
                        "KU=digitalSignature");
                keytool(
                        "-importcert",
                        "-noprompt",
                        "-alias",
                        "ca",
                        "-file",
                        caPem().toString(),
                        "-keystore",
                        tmp.toString(),
                        "-storepass:env",
                        "FS_KEYSTORE_PASSWORD");
                keytool(
                        "-importcert",
                        "-noprompt",
                        "-alias",
                        BROKER_PRINCIPAL,
                        "-file",
                        crt.toString(),
                        "-keystore",
                        tmp.toString(),
                        "-storepass:env",
                        "FS_KEYSTORE_PASSWORD");
                Files.move(tmp, broker, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                for (Path p : List.of(tmp, csr, crt)) {
                    Files.deleteIfExists(p);
                }
            }
            LOG.info("issued the broker certificate in {}", dir);
        }
    }

    private boolean expiresSoon(Path keystore) {
        try (InputStream in = Files.newInputStream(keystore)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, secrets.get("broker.keystore.password").toCharArray());
            X509Certificate cert = (X509Certificate) ks.getCertificate(BROKER_PRINCIPAL);
            return cert == null
                    || cert.getNotAfter().toInstant().isBefore(Instant.now().plus(RENEW_BEFORE));
        } catch (Exception e) {
            throw new IllegalStateException(
                    "cannot read the broker key store " + keystore + " (written with another password?): "
                            + e.getMessage(),
                    e);
        }
    }

    private void keytool(String... args) {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        if (!Files.isExecutable(keytool)) {
            throw new IllegalStateException(
                    "the JDK's keytool is not at " + keytool + ": it makes the broker certificates");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(keytool.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("FS_CA_PASSWORD", secrets.get("ca.password"));
        pb.environment().put("FS_KEYSTORE_PASSWORD", secrets.get("broker.keystore.password"));
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(2, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("keytool " + args[0] + " did not finish within 2 minutes");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(
                        "keytool " + args[0] + " failed (exit " + p.exitValue() + "): " + out.strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + keytool, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running keytool", e);
        }
    }

    // ---- files ----

    private static String newPassword() {
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** Writes {@code text} to a file only its owner can read, created so before any secret is in it. */
    private static void writeOwnerOnly(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (UnsupportedOperationException e) {
            Files.createFile(tmp);
        } catch (FileAlreadyExistsException e) {
            throw new IOException("cannot create " + tmp + ": it exists", e);
        }
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        setPermissions(file, OWNER_ONLY);
    }

    private static void setPermissions(Path p, Set<PosixFilePermission> perms) throws IOException {
        try {
            Files.setPosixFilePermissions(p, perms);
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the directory's own protection applies
        }
    }

    static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.toString() : c.getClass().getSimpleName() + ": " + c.getMessage();
    }
}
