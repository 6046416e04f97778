package io.facestream.trainer.testing;

import io.facestream.trainer.data.FaceImage;
import io.facestream.trainer.data.ImageCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Generated identities for tests: each identity is a fixed arrangement of coloured discs on a face-like oval; each
 * image of it shifts, rescales and relights that arrangement and adds noise. Distinguishable, but not trivially.
 */
public final class SyntheticFaces {
    private SyntheticFaces() {}

    public static FaceImage image(int identity, int sample, int size) {
        Random id = new Random(1000 + identity);
        Random r = new Random(identity * 7919L + sample);
        int[][] discs = new int[5][6];
        for (int[] d : discs) {
            d[0] = 25 + id.nextInt(62);
            d[1] = 25 + id.nextInt(62);
            d[2] = 6 + id.nextInt(12);
            d[3] = id.nextInt(256);
            d[4] = id.nextInt(256);
            d[5] = id.nextInt(256);
        }
        int dx = r.nextInt(9) - 4;
        int dy = r.nextInt(9) - 4;
        double light = 0.75 + 0.5 * r.nextDouble();
        byte[] px = new byte[size * size * 3];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                double ox = (x - 56 - dx) / 40.0;
                double oy = (y - 56 - dy) / 52.0;
                int[] c = ox * ox + oy * oy < 1 ? new int[] {200, 160, 130} : new int[] {40, 40, 40};
                for (int[] d : discs) {
                    int ex = x - d[0] - dx;
                    int ey = y - d[1] - dy;
                    if (ex * ex + ey * ey < d[2] * d[2]) {
                        c = new int[] {d[3], d[4], d[5]};
                    }
                }
                for (int k = 0; k < 3; k++) {
                    int v = (int) (c[k] * light + r.nextGaussian() * 12);
                    px[(y * size + x) * 3 + k] = (byte) Math.max(0, Math.min(255, v));
                }
            }
        }
        return new FaceImage(size, px);
    }

    /** An image folder {@code root/<id>/<n>.jpg} with {@code identities × perIdentity} images. */
    public static Path folder(Path root, int identities, int perIdentity) {
        try {
            for (int i = 0; i < identities; i++) {
                Path dir = Files.createDirectories(root.resolve(String.format("id%03d", i)));
                for (int s = 0; s < perIdentity; s++) {
                    Files.write(dir.resolve(s + ".jpg"), ImageCodec.encode(image(i, s, 112), ".jpg"));
                }
            }
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
