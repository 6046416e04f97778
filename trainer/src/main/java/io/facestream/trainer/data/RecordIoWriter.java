package io.facestream.trainer.data;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes InsightFace-style RecordIO ({@code train.rec}, {@code train.idx}): record 0 = [A, B] header, images
 * 1..A−1, identity ranges A..B−1. Used to pack synthetic or exported data sets the trainer (and InsightFace tools) read.
 * A payload containing the magic at a 4-byte-aligned offset is split there, as dmlc-core's writer does.
 */
public final class RecordIoWriter implements AutoCloseable {
    private final OutputStream rec;
    private final BufferedWriter idx;
    private final List<byte[]> images = new ArrayList<>();
    private final List<Integer> labels = new ArrayList<>();
    private long offset;

    public RecordIoWriter(Path dir) {
        try {
            Files.createDirectories(dir);
            rec = Files.newOutputStream(dir.resolve("train.rec"));
            idx = Files.newBufferedWriter(dir.resolve("train.idx"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create RecordIO files in " + dir, e);
        }
    }

    /** Queues one image; records are written on {@link #close()} once the header counts are known. */
    public void add(int label, byte[] encodedImage) {
        images.add(encodedImage);
        labels.add(label);
    }

    @Override
    public void close() {
        try {
            int classes = labels.stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
            long a = images.size() + 1L;
            long b = a + classes;
            write(0, header(2, 0, new float[] {a, b}, new byte[0]));
            for (int i = 0; i < images.size(); i++) {
                write(i + 1, header(0, labels.get(i), new float[0], images.get(i)));
            }
            int[] first = new int[classes];
            int[] last = new int[classes];
            java.util.Arrays.fill(first, -1);
            for (int i = 0; i < labels.size(); i++) {
                int c = labels.get(i);
                first[c] = first[c] < 0 ? i + 1 : first[c];
                last[c] = i + 2;
            }
            for (int c = 0; c < classes; c++) {
                write(a + c, header(2, 0, new float[] {Math.max(first[c], 0), last[c]}, new byte[0]));
            }
            rec.close();
            idx.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write RecordIO", e);
        }
    }

    private static byte[] header(int flag, float label, float[] labelArray, byte[] image) {
        ByteBuffer b =
                ByteBuffer.allocate(24 + 4 * labelArray.length + image.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(flag).putFloat(label).putLong(0).putLong(0);
        for (float l : labelArray) {
            b.putFloat(l);
        }
        return b.put(image).array();
    }

    private void write(long key, byte[] payload) throws IOException {
        idx.write(key + "\t" + offset + "\n");
        // dmlc-core splits a payload wherever the magic occurs at a 4-aligned offset (the reader re-inserts it)
        List<int[]> parts = new ArrayList<>();
        int start = 0;
        for (int i = 0; i + 4 <= payload.length; i += 4) {
            if (ByteBuffer.wrap(payload, i, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() == RecordIoDataset.MAGIC) {
                parts.add(new int[] {start, i});
                start = i + 4;
            }
        }
        parts.add(new int[] {start, payload.length});
        for (int p = 0; p < parts.size(); p++) {
            int cflag = parts.size() == 1 ? 0 : p == 0 ? 1 : p == parts.size() - 1 ? 3 : 2;
            int len = parts.get(p)[1] - parts.get(p)[0];
            ByteBuffer head = ByteBuffer.allocate(8)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putInt(RecordIoDataset.MAGIC)
                    .putInt((cflag << 29) | len);
            rec.write(head.array());
            rec.write(payload, parts.get(p)[0], len);
            int pad = (4 - len % 4) % 4;
            rec.write(new byte[pad]);
            offset += 8 + len + pad;
        }
    }
}
