package io.facestream.embed.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.bytedeco.javacpp.indexer.UByteIndexer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;

class ImageDecoderTest {
    private final ImageDecoder decoder = new ImageDecoder();

    @Test
    void emptyInputIsRefused() {
        ImageException e = assertThrows(ImageException.class, () -> decoder.decode(new byte[0], "empty.jpg"));
        assertTrue(e.getMessage().contains("empty.jpg") && e.getMessage().contains("empty"), e.getMessage());
    }

    @Test
    void nonImageBytesAreRefused() {
        byte[] text = "this is not an image at all".getBytes(StandardCharsets.UTF_8);
        ImageException e = assertThrows(ImageException.class, () -> decoder.decode(text, "notes.txt"));
        assertTrue(e.getMessage().contains("not a JPEG, PNG, BMP or WebP"), e.getMessage());
    }

    @Test
    void truncatedImageIsRefused() throws IOException {
        byte[] png = encode(new BufferedImage(64, 48, BufferedImage.TYPE_3BYTE_BGR), "png");
        byte[] cut = java.util.Arrays.copyOf(png, 40);
        ImageException e = assertThrows(ImageException.class, () -> decoder.decode(cut, "cut.png"));
        assertTrue(e.getMessage().contains("could not be decoded"), e.getMessage());
    }

    @Test
    void decompressionBombIsRefusedFromItsHeader() {
        // A 30000×30000 PNG header: 900 megapixels, refused without decoding (no pixel data is even present).
        byte[] bomb = pngHeader(30_000, 30_000);
        ImageException e = assertThrows(ImageException.class, () -> decoder.decode(bomb, "bomb.png"));
        assertTrue(
                e.getMessage().contains("30000x30000") && e.getMessage().contains("exceeds the limit"), e.getMessage());
        assertEquals(new ImageHeader("png", 30_000, 30_000), new ImageDecoder(Long.MAX_VALUE).probe(bomb, "bomb.png"));
    }

    @Test
    void headersOfEveryFormatAreRead() throws IOException {
        BufferedImage img = new BufferedImage(37, 23, BufferedImage.TYPE_3BYTE_BGR);
        assertEquals(new ImageHeader("png", 37, 23), decoder.probe(encode(img, "png"), "x"));
        assertEquals(new ImageHeader("jpeg", 37, 23), decoder.probe(encode(img, "jpg"), "x"));
        assertEquals(new ImageHeader("bmp", 37, 23), decoder.probe(encode(img, "bmp"), "x"));
        // WebP lossless (VP8L) header, hand-made: width-1 and height-1 in 14 bits each after the 0x2f signature
        ByteBuffer webp = ByteBuffer.allocate(30).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        webp.put("RIFF".getBytes(StandardCharsets.US_ASCII))
                .putInt(22)
                .put("WEBPVP8L".getBytes(StandardCharsets.US_ASCII))
                .putInt(9);
        webp.put((byte) 0x2f).putInt((37 - 1) | ((23 - 1) << 14));
        assertEquals(new ImageHeader("webp", 37, 23), decoder.probe(webp.array(), "x"));
    }

    @Test
    void grayscaleBecomesThreeChannelBgr() throws IOException {
        BufferedImage gray = new BufferedImage(40, 30, BufferedImage.TYPE_BYTE_GRAY);
        gray.getRaster().setSample(5, 7, 0, 200);
        try (Mat m = decoder.decode(encode(gray, "png"), "gray.png");
                UByteIndexer idx = m.createIndexer()) {
            assertEquals(3, m.channels());
            assertEquals(200, idx.get(7, 5, 0));
            assertEquals(200, idx.get(7, 5, 2));
        }
    }

    @Test
    void alphaIsDroppedToBgr() throws IOException {
        BufferedImage argb = new BufferedImage(20, 10, BufferedImage.TYPE_INT_ARGB);
        argb.setRGB(3, 4, 0x80FF0000); // half-transparent red
        try (Mat m = decoder.decode(encode(argb, "png"), "alpha.png");
                UByteIndexer idx = m.createIndexer()) {
            assertEquals(3, m.channels());
            assertEquals(255, idx.get(4, 3, 2)); // red channel (BGR index 2)
            assertEquals(0, idx.get(4, 3, 0));
        }
    }

    @Test
    void cmykJpegBecomesBgr() throws IOException {
        // A 4-channel JPEG without an Adobe marker is CMYK to libjpeg; all-zero ink is white.
        WritableRaster raster = Raster.createInterleavedRaster(java.awt.image.DataBuffer.TYPE_BYTE, 16, 16, 4, null);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(raster, null, null), null);
        } finally {
            writer.dispose();
        }
        try (Mat m = decoder.decode(bytes.toByteArray(), "cmyk.jpg");
                UByteIndexer idx = m.createIndexer()) {
            assertEquals(3, m.channels());
            assertEquals(16, m.cols());
            int v = idx.get(8, 8, 1);
            assertTrue(v == 0 || v == 255, "CMYK pixel converted to a plain BGR value, got " + v);
        }
    }

    static byte[] encode(BufferedImage img, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(img, format, out)) {
            throw new IOException("no ImageIO writer for " + format);
        }
        return out.toByteArray();
    }

    static byte[] pngHeader(int width, int height) {
        ByteBuffer ihdr = ByteBuffer.allocate(17);
        ihdr.put("IHDR".getBytes(StandardCharsets.US_ASCII))
                .putInt(width)
                .putInt(height)
                .put((byte) 8)
                .put((byte) 2)
                .put((byte) 0)
                .put((byte) 0)
                .put((byte) 0);
        CRC32 crc = new CRC32();
        crc.update(ihdr.array());
        ByteBuffer png = ByteBuffer.allocate(8 + 4 + 17 + 4);
        png.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'})
                .putInt(13)
                .put(ihdr.array())
                .putInt((int) crc.getValue());
        return png.array();
    }
}
