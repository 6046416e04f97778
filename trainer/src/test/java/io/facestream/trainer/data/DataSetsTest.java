package io.facestream.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.trainer.testing.SyntheticFaces;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataSetsTest {
    private static final InputFormat RGB =
            new InputFormat(112, true, false, new float[] {127.5f, 127.5f, 127.5f}, new float[] {128, 128, 128});

    @Test
    void recordIoRoundTripsImagesLabelsAndSplitRecords(@TempDir Path dir) {
        byte[] a = ImageCodec.encode(SyntheticFaces.image(0, 0, 112), ".png");
        // a payload holding the magic at a 4-aligned offset forces a split record (cflag 1/3)
        byte[] withMagic = new byte[40];
        ByteBuffer.wrap(withMagic).order(ByteOrder.LITTLE_ENDIAN).putInt(16, RecordIoDataset.MAGIC);
        try (RecordIoWriter w = new RecordIoWriter(dir)) {
            w.add(0, a);
            w.add(1, withMagic);
            w.add(1, a);
        }
        try (RecordIoDataset ds = RecordIoDataset.open(dir)) {
            assertEquals(3, ds.size());
            assertEquals(2, ds.classes());
            assertArrayEquals(a, ds.read(0).image());
            assertArrayEquals(withMagic, ds.read(1).image());
            assertEquals(1, ds.read(2).label());
            assertEquals(0, ds.badRecords().count());
        }
    }

    @Test
    void badRecordsAreCountedAndSkippedWithAReport(@TempDir Path dir) throws Exception {
        byte[] good = ImageCodec.encode(SyntheticFaces.image(0, 0, 112), ".jpg");
        try (RecordIoWriter w = new RecordIoWriter(dir)) {
            for (int i = 0; i < 6; i++) {
                w.add(i % 2, i == 3 ? "not a jpeg at all".getBytes() : good);
            }
        }
        // corrupt the magic of image record 5 (index key 5)
        long offset = Files.readAllLines(dir.resolve("train.idx")).stream()
                .filter(l -> l.startsWith("5\t"))
                .mapToLong(l -> Long.parseLong(l.split("\t")[1]))
                .findFirst()
                .orElseThrow();
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("train.rec").toFile(), "rw")) {
            f.seek(offset);
            f.writeInt(0x12345678);
        }
        try (RecordIoDataset ds = RecordIoDataset.open(dir);
                BatchLoader loader = new BatchLoader(ds, RGB, Augmentation.NONE, 5, 1, 0, 1)) {
            assertEquals(5, ds.size(), "the record with a broken magic is left out at open");
            assertEquals(1, ds.badRecords().count());
            Batch b = loader.next();
            assertEquals(4, b.size(), "the undecodable image is skipped in its batch");
            BadRecords.Report report = ds.badRecords().report();
            assertEquals(2, report.count());
            assertEquals(java.util.Map.of("bad magic", 1L, "undecodable image", 1L), report.byReason());
            assertTrue(report.examples().stream().anyMatch(e -> e.contains("train.rec")), report.toString());
        }
    }

    @Test
    void imageFolderUsesLexicographicClassOrderAndCountsStrayFiles(@TempDir Path dir) throws Exception {
        for (String id : List.of("10", "2", "1")) {
            Files.createDirectories(dir.resolve(id));
            Files.write(
                    dir.resolve(id).resolve("a.jpg"),
                    ImageCodec.encode(SyntheticFaces.image(Integer.parseInt(id), 0, 112), ".jpg"));
        }
        Files.writeString(dir.resolve("2").resolve("notes.txt"), "x");
        try (ImageFolderDataset ds = ImageFolderDataset.open(dir)) {
            assertEquals(List.of("1", "10", "2"), ds.identities());
            assertEquals(3, ds.size());
            assertEquals(2, ds.read(2).label());
            assertEquals(1, ds.badRecords().count());
        }
    }

    @Test
    void augmentationsFollowTheirGatesAndRepeatForTheSameSeed() {
        FaceImage original = SyntheticFaces.image(3, 1, 112);
        FaceImage a = original.copy();
        FaceImage b = original.copy();
        Augmentation all = new Augmentation(1, 1, 1, 1);
        all.apply(a, new SplittableRandom(5));
        all.apply(b, new SplittableRandom(5));
        assertArrayEquals(a.rgb(), b.rgb());
        assertNotEquals(java.util.Arrays.hashCode(original.rgb()), java.util.Arrays.hashCode(a.rgb()));

        FaceImage none = original.copy();
        Augmentation.NONE.apply(none, new SplittableRandom(5));
        assertArrayEquals(original.rgb(), none.rgb());

        FaceImage flipped = original.copy();
        Augmentation.mirror(flipped);
        assertEquals(original.rgb()[0], flipped.rgb()[111 * 3]);

        // the crop keeps a rectangle in place and zeroes the rest
        FaceImage cropped = original.copy();
        Augmentation.randomCrop(cropped, new SplittableRandom(9));
        int zeros = 0;
        for (int i = 0; i < cropped.rgb().length; i++) {
            if (cropped.rgb()[i] != original.rgb()[i]) {
                assertEquals(0, cropped.rgb()[i]);
                zeros++;
            }
        }
        assertTrue(zeros > 0);
    }

    @Test
    void loaderIsDeterministicAcrossRestarts(@TempDir Path dir) {
        SyntheticFaces.folder(dir, 3, 4);
        try (FaceDataset ds = FaceDataset.open(dir);
                BatchLoader full = new BatchLoader(ds, RGB, Augmentation.PAPER, 4, 7, 0, 2);
                BatchLoader resumed = new BatchLoader(ds, RGB, Augmentation.PAPER, 4, 7, 4, 1)) {
            for (int s = 0; s < 4; s++) {
                full.next();
            }
            Batch expected = full.next();
            Batch actual = resumed.next();
            assertEquals(4, expected.step());
            assertArrayEquals(expected.labels(), actual.labels());
            assertArrayEquals(expected.pixels(), actual.pixels());
        }
    }
}
