package io.facestream.trainer.run;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import io.facestream.trainer.data.BadRecordException;
import io.facestream.trainer.data.FaceDataset;
import io.facestream.trainer.data.FaceRecord;
import io.facestream.trainer.data.ImageCodec;
import io.facestream.trainer.data.InputFormat;
import io.facestream.trainer.graph.OnnxGraphBlock;
import io.facestream.trainer.head.CentreInit;
import io.facestream.trainer.head.ClassCentres;
import io.facestream.trainer.torch.Owned;
import java.util.Arrays;

/**
 * {@link CentreInit#PROTOTYPES}: embeds every training image once with the base model — no augmentation, inference
 * mode (dropout off, BatchNorm on its running statistics and not updated), no gradient — sums the unit embeddings per
 * class and hands the sums to {@link ClassCentres#prototypes}, which normalises them. Images are visited in index order
 * and summed in float64, so the centres do not depend on thread timing; a resumed run takes its centres from the
 * checkpoint instead and never calls this.
 *
 * @param centres      the initial class centres
 * @param images       images embedded
 * @param emptyClasses classes none of whose images could be embedded (they keep a random centre)
 * @param seconds      time the pass took
 */
public record PrototypeCentres(ClassCentres centres, int images, int emptyClasses, double seconds) {

    public static PrototypeCentres compute(
            NDManager manager,
            OnnxGraphBlock block,
            ParameterStore parameters,
            FaceDataset data,
            InputFormat format,
            int batchSize,
            long seed) {
        long t0 = System.nanoTime();
        int dim = -1;
        double[][] sums = null;
        int[] counts = new int[data.classes()];
        int embedded = 0;
        float[] pixels = new float[(int) format.shape(batchSize).size()];
        int[] labels = new int[batchSize];
        for (int start = 0; start < data.size(); start += batchSize) {
            int n = 0;
            for (int i = start; i < Math.min(data.size(), start + batchSize); i++) {
                try {
                    FaceRecord r = data.read(i);
                    format.write(ImageCodec.decode(r, format.size()), pixels, n);
                    labels[n++] = r.label();
                } catch (BadRecordException e) {
                    // filed as the batch loader files it, so a record is counted once whichever meets it first
                    data.badRecords().add(e);
                }
            }
            if (n == 0) {
                continue;
            }
            float[] units;
            try (NDScope scope = new NDScope()) {
                NDArray x = Owned.copyOf(
                        manager, Arrays.copyOf(pixels, (int) format.shape(n).size()), format.shape(n));
                NDArray f = block.forward(parameters, new NDList(x), false).singletonOrThrow();
                dim = (int) f.getShape().get(1);
                units = f.div(f.norm(new int[] {1}, true))
                        .toType(DataType.FLOAT32, false)
                        .toFloatArray();
            }
            if (sums == null) {
                sums = new double[data.classes()][dim];
            }
            for (int k = 0; k < n; k++) {
                float[] row = Arrays.copyOfRange(units, k * dim, (k + 1) * dim);
                if (!allFinite(row)) {
                    throw new IllegalStateException(
                            "the base model gives a non-finite embedding for training image " + (start + k) + " of "
                                    + data.describe() + ": it cannot seed class prototypes (use --centres random)");
                }
                for (int d = 0; d < dim; d++) {
                    sums[labels[k]][d] += row[d];
                }
                counts[labels[k]]++;
                embedded++;
            }
        }
        if (sums == null) {
            throw new IllegalArgumentException(
                    "no image of " + data.describe() + " could be decoded to compute class prototypes: "
                            + data.badRecords().report());
        }
        int empty = 0;
        for (int c : counts) {
            if (c == 0) {
                empty++;
            }
        }
        return new PrototypeCentres(
                ClassCentres.prototypes(manager, sums, seed), embedded, empty, (System.nanoTime() - t0) / 1e9);
    }

    private static boolean allFinite(float[] v) {
        for (float x : v) {
            if (!Float.isFinite(x)) {
                return false;
            }
        }
        return true;
    }

    /** For the progress log. */
    public String describe() {
        return String.format(
                "class centres: prototypes of %d images under the base model (%.1f s)%s",
                images,
                seconds,
                emptyClasses == 0
                        ? ""
                        : ", " + emptyClasses + " class(es) without a usable image keep a random centre");
    }
}
