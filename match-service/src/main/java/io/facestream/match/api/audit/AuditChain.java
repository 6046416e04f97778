package io.facestream.match.api.audit;

import com.fasterxml.jackson.databind.JsonNode;
import io.facestream.core.json.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The hash chain of the audit log. A line is a JSON object whose last two members are {@code "prev"} (the hash of the
 * line before it, {@link #GENESIS} for the first) and {@code "hash"}: the SHA-256, in hex, of the line's UTF-8 bytes
 * with the {@code ,"hash":"…"} member taken out. Lines also carry {@code seq}, 1 for the first line and one more for
 * each line after it.
 *
 * <p>{@link #verify} reads a file and names the first line that breaks the chain: an edited line (its content no
 * longer matches its hash; or its hash was recomputed, and the next line's {@code prev} no longer matches), removed
 * lines (a gap in {@code seq}), a line out of order (its {@code seq} is not the next one and the missing one is
 * further down), or lines removed from the end (the last hash is not the expected head, when one is given: the head
 * the service logged or that was shipped elsewhere). Without an outside copy of the head, whoever can rewrite the
 * whole file from a point on can also recompute the hashes after it: ship the {@code io.facestream.audit} log lines
 * off the host.
 */
public final class AuditChain {
    public static final String GENESIS = "0".repeat(64);
    /** Members the writer sets itself. */
    static final Set<String> RESERVED = Set.of("seq", "time", "prev", "hash");

    private static final Pattern SEAL = Pattern.compile(",\"hash\":\"[0-9a-f]{64}\"}$");
    private static final int SEAL_LENGTH = ",\"hash\":\"".length() + 64 + "\"}".length();

    private AuditChain() {}

    /** The line with its hash member added (the line must end with its {@code prev} member). */
    static String seal(String unsealed) {
        String hash = hashOf(unsealed);
        return unsealed.substring(0, unsealed.length() - 1) + ",\"hash\":\"" + hash + "\"}";
    }

    /** The line without its hash member, as it was hashed; the line itself when it has none. */
    static String unsealed(String line) {
        if (!SEAL.matcher(line).find()) {
            return line;
        }
        return line.substring(0, line.length() - SEAL_LENGTH) + "}";
    }

    static String hashOf(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    /**
     * What {@link #verify} found.
     *
     * @param lines   lines read
     * @param head    hash of the last line (the chain's head; {@link #GENESIS} for an empty file)
     * @param line    1-based number of the first line that breaks the chain, 0 when intact
     * @param problem what is wrong there, null when intact
     */
    public record Report(long lines, String head, long line, String problem) {
        public boolean intact() {
            return problem == null;
        }
    }

    private record Parsed(long seq, String prev, String hash, boolean sealedRight) {}

    /** Checks a whole file; {@code expectedHead} (may be null) is the head known from elsewhere. */
    public static Report verify(Path file, String expectedHead) throws IOException {
        List<Parsed> parsed = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line; (line = in.readLine()) != null; ) {
                parsed.add(parse(line, unreadable, parsed.size() + 1));
            }
        }
        Map<Long, Integer> lineOfSeq = new HashMap<>();
        for (int i = parsed.size() - 1; i >= 0; i--) {
            if (parsed.get(i) != null) {
                lineOfSeq.put(parsed.get(i).seq(), i + 1);
            }
        }
        String prevHash = GENESIS;
        long prevSeq = 0;
        for (int i = 0; i < parsed.size(); i++) {
            long n = i + 1;
            Parsed p = parsed.get(i);
            if (p == null) {
                return new Report(
                        parsed.size(),
                        prevHash,
                        n,
                        "line " + n + " is not an audit record (" + unreadable.get(0)
                                + "): it was edited or the file is damaged");
            }
            if (!p.sealedRight()) {
                return new Report(
                        parsed.size(),
                        prevHash,
                        n,
                        "line " + n + " (record " + p.seq() + ") was edited: its content does not match its hash");
            }
            long expected = prevSeq + 1;
            if (p.seq() != expected) {
                if (p.seq() > expected) {
                    Integer at = lineOfSeq.get(expected);
                    if (at != null && at > n) {
                        return new Report(
                                parsed.size(),
                                prevHash,
                                n,
                                "line " + n + " is out of order: it holds record " + p.seq() + ", but record "
                                        + expected + " is on line " + at);
                    }
                    return new Report(
                            parsed.size(),
                            prevHash,
                            n,
                            (p.seq() - expected == 1
                                            ? "record " + expected + " was"
                                            : "records " + expected + " to " + (p.seq() - 1) + " were")
                                    + " removed before line " + n);
                }
                return new Report(
                        parsed.size(),
                        prevHash,
                        n,
                        "line " + n + " is out of order: it holds record " + p.seq() + " after record " + prevSeq);
            }
            if (!p.prev().equals(prevHash)) {
                return i == 0
                        ? new Report(
                                parsed.size(),
                                prevHash,
                                n,
                                "line 1 does not start a chain: its prev is not the genesis hash")
                        : new Report(
                                parsed.size(),
                                prevHash,
                                n - 1,
                                "line " + (n - 1) + " (record " + prevSeq
                                        + ") was edited: its hash was recomputed, and line " + n
                                        + " no longer follows it");
            }
            prevHash = p.hash();
            prevSeq = p.seq();
        }
        if (expectedHead != null
                && !expectedHead.isBlank()
                && !expectedHead.trim().equalsIgnoreCase(prevHash)) {
            Integer at = null;
            for (int i = 0; i < parsed.size(); i++) {
                if (parsed.get(i).hash().equalsIgnoreCase(expectedHead.trim())) {
                    at = i + 1;
                }
            }
            return new Report(
                    parsed.size(),
                    prevHash,
                    parsed.size(),
                    at != null
                            ? "lines after line " + at + " are not covered by the expected head ("
                                    + (parsed.size() - at) + " line(s) added since)"
                            : "the last line (" + parsed.size()
                                    + ") is not the expected head: lines were removed from the end, or the file was rewritten");
        }
        return new Report(parsed.size(), prevHash, 0, null);
    }

    private static Parsed parse(String line, List<String> why, long n) {
        try {
            JsonNode node = Json.mapper().readTree(line);
            if (node == null
                    || !node.isObject()
                    || !node.path("seq").canConvertToLong()
                    || !node.path("prev").isTextual()
                    || !node.path("hash").isTextual()) {
                why.add("no seq, prev and hash");
                return null;
            }
            String hash = node.get("hash").asText();
            boolean sealed = SEAL.matcher(line).find() && hashOf(unsealed(line)).equals(hash);
            return new Parsed(node.get("seq").asLong(), node.get("prev").asText(), hash, sealed);
        } catch (IOException e) {
            why.add("not JSON");
            return null;
        }
    }
}
