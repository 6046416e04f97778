package io.facestream.embed.image;

import java.nio.charset.StandardCharsets;

/**
 * Reads width and height from the header of a JPEG, PNG, BMP or WebP file. This is what lets the decoder refuse a
 * decompression bomb (a few KB that inflate to gigabytes) before any decoder allocates a pixel buffer.
 */
final class ImageHeaders {
    private ImageHeaders() {}

    static ImageHeader read(byte[] b, String what) {
        if (b.length == 0) {
            throw new ImageException(what + ": empty input (0 bytes), not an image");
        }
        if (startsWith(b, 0, new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'})) {
            return png(b, what);
        }
        if (b.length >= 3 && u8(b, 0) == 0xFF && u8(b, 1) == 0xD8 && u8(b, 2) == 0xFF) {
            return jpeg(b, what);
        }
        if (startsWith(b, 0, ascii("BM"))) {
            return bmp(b, what);
        }
        if (startsWith(b, 0, ascii("RIFF")) && startsWith(b, 8, ascii("WEBP"))) {
            return webp(b, what);
        }
        throw new ImageException(what + ": not a JPEG, PNG, BMP or WebP image (first bytes " + hex(b, 8) + ")");
    }

    private static ImageHeader png(byte[] b, String what) {
        // Signature (8), then the IHDR chunk: length (4), "IHDR", width (4, big-endian), height (4).
        need(b, 24, what, "PNG");
        if (!startsWith(b, 12, ascii("IHDR"))) {
            throw new ImageException(what + ": PNG without an IHDR chunk first (corrupt)");
        }
        return checked("png", be32(b, 16), be32(b, 20), what);
    }

    private static ImageHeader jpeg(byte[] b, String what) {
        int i = 2;
        while (i + 4 <= b.length) {
            if (u8(b, i) != 0xFF) {
                throw new ImageException(what + ": JPEG marker expected at byte " + i + " (corrupt)");
            }
            int marker = u8(b, i + 1);
            if (marker == 0xFF) { // fill byte
                i++;
                continue;
            }
            if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) { // no length field
                i += 2;
                continue;
            }
            if (marker == 0xD9 || marker == 0xDA) {
                throw new ImageException(what + ": JPEG has no frame header (SOF) before its image data (corrupt)");
            }
            int length = be16(b, i + 2);
            boolean sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
            if (sof) {
                need(b, i + 9, what, "JPEG");
                return checked("jpeg", be16(b, i + 7), be16(b, i + 5), what);
            }
            i += 2 + length;
        }
        throw new ImageException(what + ": JPEG is truncated before its frame header (" + b.length + " bytes)");
    }

    private static ImageHeader bmp(byte[] b, String what) {
        need(b, 26, what, "BMP");
        int dibSize = le32(b, 14);
        if (dibSize == 12) { // OS/2 BITMAPCOREHEADER: 16-bit sizes
            return checked("bmp", le16(b, 18), le16(b, 20), what);
        }
        // Negative height marks a top-down bitmap; the size is its magnitude.
        return checked("bmp", le32(b, 18), Math.abs(le32(b, 22)), what);
    }

    private static ImageHeader webp(byte[] b, String what) {
        need(b, 30, what, "WebP");
        String chunk = new String(b, 12, 4, StandardCharsets.US_ASCII);
        return switch (chunk) {
            case "VP8 " -> { // lossy: key frame start code 9d 01 2a, then 14-bit width and height
                if (u8(b, 23) != 0x9D || u8(b, 24) != 0x01 || u8(b, 25) != 0x2A) {
                    throw new ImageException(what + ": WebP VP8 frame without a key-frame start code (corrupt)");
                }
                yield checked("webp", le16(b, 26) & 0x3FFF, le16(b, 28) & 0x3FFF, what);
            }
            case "VP8L" -> { // lossless: signature 0x2f, then width-1 and height-1 in 14 bits each
                if (u8(b, 20) != 0x2F) {
                    throw new ImageException(what + ": WebP VP8L without its signature byte (corrupt)");
                }
                int bits = le32(b, 21);
                yield checked("webp", (bits & 0x3FFF) + 1, ((bits >>> 14) & 0x3FFF) + 1, what);
            }
            case "VP8X" -> // extended: canvas width-1 and height-1, 24 bits each
                checked("webp", le24(b, 24) + 1, le24(b, 27) + 1, what);
            default -> throw new ImageException(what + ": WebP with unknown first chunk '" + chunk.strip() + "'");
        };
    }

    private static ImageHeader checked(String format, long width, long height, String what) {
        if (width <= 0 || height <= 0 || width > Integer.MAX_VALUE || height > Integer.MAX_VALUE) {
            throw new ImageException(what + ": " + format + " header gives an invalid size " + width + "x" + height);
        }
        return new ImageHeader(format, (int) width, (int) height);
    }

    private static void need(byte[] b, int n, String what, String format) {
        if (b.length < n) {
            throw new ImageException(what + ": " + format + " header is truncated (" + b.length + " bytes)");
        }
    }

    private static boolean startsWith(byte[] b, int at, byte[] prefix) {
        if (b.length < at + prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b[at + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static int u8(byte[] b, int i) {
        return b[i] & 0xFF;
    }

    private static int be16(byte[] b, int i) {
        return (u8(b, i) << 8) | u8(b, i + 1);
    }

    private static long be32(byte[] b, int i) {
        return ((long) be16(b, i) << 16) | be16(b, i + 2);
    }

    private static int le16(byte[] b, int i) {
        return u8(b, i) | (u8(b, i + 1) << 8);
    }

    private static int le24(byte[] b, int i) {
        return le16(b, i) | (u8(b, i + 2) << 16);
    }

    private static int le32(byte[] b, int i) {
        return le16(b, i) | (le16(b, i + 2) << 16);
    }

    private static String hex(byte[] b, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(n, b.length); i++) {
            sb.append(String.format("%02x", b[i]));
        }
        return sb.toString();
    }
}
