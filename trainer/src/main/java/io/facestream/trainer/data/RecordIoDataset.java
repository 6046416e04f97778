package io.facestream.trainer.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * InsightFace RecordIO ({@code train.rec} + {@code train.idx}, reference §4.1a). Each record: uint32 magic
 * 0xCED7230A, uint32 lrec (cflag = top 3 bits, length = low 29), payload, zero padding to 4 bytes; split records
 * (cflag 1/2/3) are joined with the magic re-inserted between parts. Payload = IRHeader (flag, label, id, id2; 24
 * bytes LE) + {@code flag} float labels + the encoded image. Record 0 with flag > 0 carries [A, B]: images are
 * records 1..A−1 and identities B − A; otherwise every key of the index is an image.
 */
public final class RecordIoDataset implements FaceDataset {
    static final int MAGIC = 0xCED7230A;
    private static final int LENGTH_MASK = (1 << 29) - 1;

    private final Path rec;
    private final FileChannel channel;
    private final long[] offsets;
    private final int[] labels;
    private final int classes;
    private final BadRecords bad;

    private RecordIoDataset(Path rec, FileChannel channel, long[] offsets, int[] labels, int classes, BadRecords bad) {
        this.bad = bad;
        this.rec = rec;
        this.channel = channel;
        this.offsets = offsets;
        this.labels = labels;
        this.classes = classes;
    }

    /** Opens a folder holding train.rec and train.idx; scans every image header once, counting bad records. */
    public static RecordIoDataset open(Path dir) {
        Path rec = dir.resolve("train.rec");
        Path idx = dir.resolve("train.idx");
        if (!Files.isRegularFile(idx)) {
            throw new IllegalArgumentException("RecordIO data " + dir + " has train.rec but no train.idx");
        }
        try {
            java.util.TreeMap<Long, Long> index = new java.util.TreeMap<>();
            int lineNo = 0;
            for (String line : Files.readAllLines(idx)) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] kv = line.trim().split("\\s+");
                if (kv.length != 2) {
                    throw new IllegalArgumentException(
                            idx + " line " + lineNo + ": expected 'key<TAB>offset', got '" + line + "'");
                }
                index.put(Long.parseLong(kv[0]), Long.parseLong(kv[1]));
            }
            FileChannel ch = FileChannel.open(rec, StandardOpenOption.READ);
            BadRecords bad = new BadRecords();
            RecordIoDataset probe = new RecordIoDataset(rec, ch, new long[0], new int[0], 0, bad);
            List<Long> imageKeys = new ArrayList<>();
            int classes = -1;
            Long first = index.get(0L);
            Header h0 = first == null ? null : probe.header(first, "record 0");
            if (h0 != null && h0.flag() > 0) {
                long a = (long) h0.labels()[0];
                long b = (long) h0.labels()[1];
                for (long k = 1; k < a; k++) {
                    imageKeys.add(k);
                }
                classes = (int) (b - a);
            } else {
                imageKeys.addAll(index.keySet());
            }
            List<Long> offsets = new ArrayList<>();
            List<Integer> labels = new ArrayList<>();
            int maxLabel = -1;
            for (long key : imageKeys) {
                Long off = index.get(key);
                if (off == null) {
                    bad.add("missing from index", rec + " key " + key);
                    continue;
                }
                try {
                    Header h = probe.header(off, "key " + key);
                    int label = (int) (h.flag() > 0 ? h.labels()[0] : h.label());
                    if (label < 0 || (classes > 0 && label >= classes)) {
                        throw new BadRecordException(
                                rec + " key " + key + ": label " + label + " outside [0, " + classes + ")");
                    }
                    offsets.add(off);
                    labels.add(label);
                    maxLabel = Math.max(maxLabel, label);
                } catch (BadRecordException e) {
                    bad.add(reason(e), e.getMessage());
                }
            }
            return new RecordIoDataset(
                    rec,
                    ch,
                    offsets.stream().mapToLong(Long::longValue).toArray(),
                    labels.stream().mapToInt(Integer::intValue).toArray(),
                    classes > 0 ? classes : maxLabel + 1,
                    bad);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open RecordIO data " + dir, e);
        }
    }

    private static String reason(BadRecordException e) {
        String m = e.getMessage();
        return m.contains("magic")
                ? "bad magic"
                : m.contains("label") ? "bad label" : m.contains("truncated") ? "truncated" : "bad header";
    }

    private record Header(long flag, float label, float[] labels, byte[] image) {}

    private Header header(long offset, String what) {
        byte[] payload = payload(offset, what);
        if (payload.length < 24) {
            throw new BadRecordException(rec + " " + what + " at " + offset + ": payload of " + payload.length
                    + " bytes is shorter than the 24-byte IRHeader (truncated)");
        }
        ByteBuffer b = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
        long flag = Integer.toUnsignedLong(b.getInt());
        float label = b.getFloat();
        b.getLong();
        b.getLong();
        if (flag > 0 && 24 + 4 * flag > payload.length) {
            throw new BadRecordException(rec + " " + what + " at " + offset + ": header announces " + flag
                    + " labels beyond the payload (truncated)");
        }
        float[] labels = new float[(int) flag];
        for (int i = 0; i < flag; i++) {
            labels[i] = b.getFloat();
        }
        byte[] image = new byte[b.remaining()];
        b.get(image);
        return new Header(flag, label, labels, image);
    }

    /** Reads one (possibly split) record's payload starting at {@code offset}. */
    private byte[] payload(long offset, String what) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        long pos = offset;
        while (true) {
            ByteBuffer head = read(pos, 8, what);
            int magic = head.getInt();
            if (magic != MAGIC) {
                throw new BadRecordException(
                        rec + " " + what + " at " + pos + ": bad magic 0x" + Integer.toHexString(magic));
            }
            int lrec = head.getInt();
            int cflag = lrec >>> 29;
            int length = lrec & LENGTH_MASK;
            ByteBuffer body = read(pos + 8, length, what);
            if (cflag == 2 || cflag == 3) {
                // the writer split the payload at an occurrence of the magic; put it back
                out.writeBytes(ByteBuffer.allocate(4)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .putInt(MAGIC)
                        .array());
            }
            byte[] part = new byte[length];
            body.get(part);
            out.writeBytes(part);
            pos += 8 + ((length + 3L) & ~3L);
            if (cflag == 0 || cflag == 3) {
                return out.toByteArray();
            }
        }
    }

    private ByteBuffer read(long pos, int length, String what) {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        try {
            while (b.hasRemaining()) {
                if (channel.read(b, pos + b.position()) < 0) {
                    throw new BadRecordException(
                            rec + " " + what + " at " + pos + ": file ends before " + length + " bytes (truncated)");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + rec, e);
        }
        return b.flip();
    }

    @Override
    public int size() {
        return offsets.length;
    }

    @Override
    public int classes() {
        return classes;
    }

    @Override
    public FaceRecord read(int index) {
        Header h = header(offsets[index], "image " + index);
        return new FaceRecord(labels[index], h.image(), rec + "#" + index);
    }

    @Override
    public BadRecords badRecords() {
        return bad;
    }

    @Override
    public String describe() {
        return "RecordIO " + rec + ": " + size() + " images, " + classes + " identities";
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
