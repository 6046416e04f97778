package io.facestream.trainer.data;

import java.nio.file.Files;
import java.nio.file.Path;

/** A labelled face data set the trainer can index randomly. Implementations are thread-safe for {@link #read}. */
public sealed interface FaceDataset extends AutoCloseable permits RecordIoDataset, ImageFolderDataset {

    int size();

    int classes();

    /** Record {@code index} in [0, size); a record that cannot be read throws {@link BadRecordException}. */
    FaceRecord read(int index);

    /** Records found unusable while opening (framing, header, label); more are added while training decodes. */
    BadRecords badRecords();

    String describe();

    @Override
    void close();

    /** A RecordIO folder ({@code train.rec} + {@code train.idx}) or an image folder (one sub-folder per identity). */
    static FaceDataset open(Path dir) {
        if (Files.isRegularFile(dir.resolve("train.rec"))) {
            return RecordIoDataset.open(dir);
        }
        if (Files.isDirectory(dir.resolve("imgs"))) {
            return ImageFolderDataset.open(dir.resolve("imgs"));
        }
        if (Files.isDirectory(dir)) {
            return ImageFolderDataset.open(dir);
        }
        throw new IllegalArgumentException(
                "training data " + dir + " is neither a RecordIO folder (train.rec, train.idx) nor an image folder");
    }
}
