package io.facestream.eval.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A four-subject IJB-S protocol folder and a 4-d features folder whose scores are worked out by hand below.
 *
 * <pre>
 * Subjects 1..4 (identity directions e1..e4). Videos: 10 (subjects 1, 2), 20 (3, 4), 30 (1, 3).
 * Probes (both probe files list videos 10 and 20): p1=(1,v10) p2=(2,v10) p3=(3,v20) p4=(4,v20).
 * Faces (raw features):
 *   p1: (1,0,0,0), (2,0,0,0)            -> unit e1
 *   p2: none (alignment "failed")        -> zero template, every score 0
 *   p3: (0,0,1,0)                        -> unit e3
 *   p4: (0,0,.8,.6), (0,0,1.6,1.2)       -> unit (0,0,.8,.6)
 *   2/videos_20_0003: subject 2 is not in video 20 -> belongs to no template (1 unused face)
 * Sur-to-Single: G1 = [img101=e1, img102=e2], G2 = [img103=e3, img104=e4]
 *   rows over [G1|G2]: p1 [1,0,0,0] rank 1; p2 [0,0,0,0] mate column 1, columns 2,3 tie and sort first -> rank 3;
 *   p3 [0,0,1,0] rank 1; p4 [0,0,.8,.6] rank 2.       Rank-1 = 2/4 = .5, Rank-5 = Rank-10 = 1.
 *   G1: mated p1 (first, 1), p2 (first by tie rule, 0); non-mated top scores p3 0, p4 0 -> N=2, n_fa=floor(.02)=
 *       floor(.2)=0, tau = 0+1e-8 -> p1 only: 1/2.   G2: mated p3 (first, 1), p4 (not first); tau = 1e-8 -> 1/2.
 *   TPIR@1% = TPIR@10% = (.5+.5)/2 = .5
 * Sur-to-Book: G1 = [subject 1: img101 e1 + img111 3e1 -> e1; subject 2: img102 e2 + img112 3e3 -> mean (0,.5,1.5,0)
 *   -> (0,.316,.949,0)], G2 = [e3, e4].
 *   p1 [1,0,0,0] rank 1; p2 zero -> rank 3; p3 [0,.949,1,0] rank 1; p4 [0,.759,.8,.6] rank 3. Rank-1 .5, Rank-5 1.
 *   G1: mated p1 (1), p2 (0); non-mated p3 .949, p4 .759 -> tau = .949+1e-8 -> 1/2. G2: as single -> 1/2. TPIR .5.
 * Sur-to-Sur: G1 = [(1,v30): (2,0,0,0),(0,1,0,0) -> (.894,.447,0,0)], G2 = [(3,v30): (0,0,1,0),(0,0,0,1) -> (0,0,.707,.707)]
 *   mated probes p1 (row [.894,0], rank 1) and p3 (row [0,.707], rank 1): Rank-1 = Rank-5 = Rank-10 = 1.
 *   G1: mated p1 (.894); non-mated p2 0, p3 0, p4 0 -> tau 1e-8 -> 1.
 *   G2: mated p3 (.707); non-mated p1 0, p2 0, p4 .8*.707+.6*.707=.99 -> tau .99+1e-8 -> 0.   TPIR = .5 at both.
 * Norm vs face size: the 9 video faces of known size have sides 24, 40, 64, 18, 90, 30, 30, 30, 30 (ranks 2, 7, 8, 1, 9,
 *   4.5 ×4) and norms 1, 2, 1, 1, 2, 2, 1, 1, 1 (ranks 3.5 ×6, 8 ×3): Spearman rho = 0.52440442 (scipy.stats.spearmanr).
 * </pre>
 */
public final class TinyIjbs {
    private TinyIjbs() {}

    public static final String EXPECTED_JSON = """
            {"sur_to_single":{"rank1":0.5,"rank5":1.0,"rank10":1.0,"tpir_at_fpir_1pct":0.5,"tpir_at_fpir_10pct":0.5},\
            "sur_to_book":{"rank1":0.5,"rank5":1.0,"rank10":1.0,"tpir_at_fpir_1pct":0.5,"tpir_at_fpir_10pct":0.5},\
            "sur_to_sur":{"rank1":1.0,"rank5":1.0,"rank10":1.0,"tpir_at_fpir_1pct":0.5,"tpir_at_fpir_10pct":0.5},\
            "norm_vs_face_size":{"spearman":0.5244044240850758,"samples":9}}""";

    /** Writes the protocol folder (with FRAME/FACE_WIDTH/FACE_HEIGHT, so face sizes are known). */
    public static Path writeProtocol(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("galleries"));
        write(dir, "cs6_metadata.csv", """
                SUBJECT_ID,FILENAME,FRAME,FACE_X,FACE_Y,FACE_WIDTH,FACE_HEIGHT
                1,videos/10.mp4,1,0,0,20,24
                1,videos/10.mp4,2,0,0,40,36
                2,videos/10.mp4,1,50,0,30,30
                3,videos/20.mp4,1,0,0,64,60
                4,videos/20.mp4,1,70,0,16,18
                4,videos/20.mp4,2,70,0,90,80
                1,videos/30.mp4,1,0,0,30,30
                1,videos/30.mp4,2,0,0,30,30
                3,videos/30.mp4,1,0,0,30,30
                3,videos/30.mp4,2,0,0,30,30
                1,img/101.jpg,,,,,
                1,img/111.jpg,,,,,
                2,img/102.jpg,,,,,
                2,img/112.jpg,,,,,
                3,img/103.jpg,,,,,
                4,img/104.jpg,,,,,
                """);
        write(dir, "cs6_surveillance_to_single-booking_probe.csv", "FILENAME\nvideos/10.mp4\nvideos/20.mp4\n");
        write(dir, "cs6_surveillance_to_surveillance_probe.csv", "FILENAME\nvideos/10.mp4\nvideos/20.mp4\n");
        write(
                dir,
                "galleries/cs6_surveillance_to_single_g1.csv",
                "TEMPLATE_ID,SUBJECT_ID,FILENAME\n1,1,img/101.jpg\n2,2,img/102.jpg\n");
        write(
                dir,
                "galleries/cs6_surveillance_to_single_g2.csv",
                "TEMPLATE_ID,SUBJECT_ID,FILENAME\n3,3,img/103.jpg\n4,4,img/104.jpg\n");
        write(
                dir,
                "galleries/cs6_surveillance_to_booking_g1.csv",
                "TEMPLATE_ID,SUBJECT_ID,FILENAME\n1,1,img/101.jpg\n1,1,img/111.jpg\n2,2,img/102.jpg\n2,2,img/112.jpg\n");
        write(
                dir,
                "galleries/cs6_surveillance_to_booking_g2.csv",
                "TEMPLATE_ID,SUBJECT_ID,FILENAME\n3,3,img/103.jpg\n4,4,img/104.jpg\n");
        write(
                dir,
                "galleries/cs6_surveillance_to_surveillance_g1.csv",
                "TEMPLATE_ID,SUBJECT_ID,FILENAME\n1,1,videos/30.mp4\n");
        write(
                dir,
                "galleries/cs6_surveillance_to_surveillance_g2.csv",
                "TEMPLATE_ID,SUBJECT_ID,FILENAME\n2,3,videos/30.mp4\n");
        return dir;
    }

    /** The faces of the table above, in a features folder (paths.txt, features.f32, meta.json). */
    public static Path writeFeatures(Path dir) throws IOException {
        Map<String, float[]> faces = new LinkedHashMap<>();
        faces.put("1/videos_10_0001.jpg", new float[] {1, 0, 0, 0});
        faces.put("1/videos_10_0002.jpg", new float[] {2, 0, 0, 0});
        faces.put("3/videos_20_0001.jpg", new float[] {0, 0, 1, 0});
        faces.put("4/videos_20_0001.jpg", new float[] {0, 0, 0.8f, 0.6f});
        faces.put("4/videos_20_0002.jpg", new float[] {0, 0, 1.6f, 1.2f});
        faces.put("2/videos_20_0003.jpg", new float[] {1, 1, 1, 1});
        faces.put("1/videos_30_0001.jpg", new float[] {2, 0, 0, 0});
        faces.put("1/videos_30_0002.jpg", new float[] {0, 1, 0, 0});
        faces.put("3/videos_30_0001.jpg", new float[] {0, 0, 1, 0});
        faces.put("3/videos_30_0002.jpg", new float[] {0, 0, 0, 1});
        faces.put("1/img_101.jpg", new float[] {1, 0, 0, 0});
        faces.put("1/img_111.jpg", new float[] {3, 0, 0, 0});
        faces.put("2/img_102.jpg", new float[] {0, 1, 0, 0});
        faces.put("2/img_112.jpg", new float[] {0, 0, 3, 0});
        faces.put("3/img_103.jpg", new float[] {0, 0, 1, 0});
        faces.put("4/img_104.jpg", new float[] {0, 0, 0, 1});
        return writeFeatures(dir, 4, faces);
    }

    /** Any features folder: rows in map order. */
    public static Path writeFeatures(Path dir, int dim, Map<String, float[]> rows) throws IOException {
        Files.createDirectories(dir);
        ByteBuffer bytes = ByteBuffer.allocate(rows.size() * dim * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        StringBuilder paths = new StringBuilder();
        rows.forEach((path, row) -> {
            paths.append(path).append('\n');
            for (float v : row) {
                bytes.putFloat(v);
            }
        });
        Files.writeString(dir.resolve("paths.txt"), paths);
        Files.write(dir.resolve("features.f32"), bytes.array());
        Files.writeString(dir.resolve("meta.json"), "{\"dim\": " + dim + "}");
        return dir;
    }

    public static void write(Path dir, String relative, String text) throws IOException {
        Files.writeString(dir.resolve(relative), text);
    }
}
