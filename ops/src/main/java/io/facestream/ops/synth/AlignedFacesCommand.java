package io.facestream.ops.synth;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;

import io.facestream.embed.align.FaceAligner;
import io.facestream.eval.footage.Footage;
import io.facestream.eval.footage.GroundTruth;
import io.facestream.eval.footage.GroundTruthFace;
import io.facestream.eval.ijbs.protocol.Media;
import io.facestream.ops.cli.CommandFailed;
import io.facestream.ops.report.Table;
import io.facestream.synth.ProgressLine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code facestream synth faces}: the aligned faces of an IJB-S-format folder (the synthetic one, or the real data
 * set's frames) as an image folder in the reference's naming, {@code <out>/<subject>/videos_<V>_<F>.jpg} and
 * {@code img_<ID>.jpg}. Each face is aligned with its own ground-truth landmarks (112×112 similarity warp), exactly
 * as the offline evaluation does, so {@code train --data} learns from the crops the evaluator scores, and the
 * trainer's gate reads the same layout as its held-out folder.
 */
@Command(
        name = "faces",
        mixinStandardHelpOptions = true,
        description =
                "Export the aligned 112x112 faces of an IJB-S-format folder as an image folder (one sub-folder per identity).")
public final class AlignedFacesCommand implements Callable<Integer> {
    @Option(
            names = "--data",
            required = true,
            paramLabel = "DIR",
            description = "IJB-S-format folder with the stills and videos")
    Path data;

    @Option(names = "--protocol", paramLabel = "DIR", description = "folder with cs6_metadata.csv (default: --data)")
    Path protocol;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "DIR",
            description = "image folder to write (created; must be empty)")
    Path out;

    @Option(
            names = "--min-side",
            defaultValue = "0",
            paramLabel = "PX",
            description =
                    "leave out faces whose ground-truth box is smaller than this (default ${DEFAULT-VALUE}: keep all)")
    double minSide;

    @Option(names = "--quality", defaultValue = "95", description = "JPEG quality (default ${DEFAULT-VALUE})")
    int quality;

    @Option(names = "--json", paramLabel = "FILE", description = "write the summary table as JSON")
    Path json;

    @Override
    public Integer call() throws IOException {
        if (quality < 1 || quality > 100) {
            throw new IllegalArgumentException("--quality must be 1..100, got " + quality);
        }
        if (Files.isDirectory(out)) {
            try (var entries = Files.list(out)) {
                if (entries.findAny().isPresent()) {
                    throw new IllegalArgumentException(
                            "--out " + out + " is not empty: faces of two exports would mix");
                }
            }
        }
        Files.createDirectories(out);
        GroundTruth truth = GroundTruth.read(protocol != null ? protocol : data);
        Footage footage = new Footage(data, truth);
        FaceAligner aligner = new FaceAligner();
        ProgressLine progress = new ProgressLine("faces", truth.faces(), System.err);
        TreeSet<Integer> subjects = new TreeSet<>();
        long[] written = new long[2]; // stills, video frames
        long[] small = new long[1];
        long t0 = System.nanoTime();
        try (IntPointer params = new IntPointer(IMWRITE_JPEG_QUALITY, quality)) {
            Footage.Counts counts = footage.forEachFrame((media, frame, bgr, faces) -> {
                for (GroundTruthFace f : faces) {
                    progress.tick();
                    if (f.side() < minSide) {
                        small[0]++;
                        continue;
                    }
                    Path file = out.resolve(Integer.toString(f.subject())).resolve(fileName(f));
                    try (Mat crop = aligner.align(bgr, f.landmarks())) {
                        Files.createDirectories(file.getParent());
                        if (!imwrite(file.toString(), crop, params)) {
                            throw new CommandFailed("cannot write " + file);
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot create " + file.getParent(), e);
                    }
                    subjects.add(f.subject());
                    written[f.media() instanceof Media.Still ? 0 : 1]++;
                }
            });
            Table table = new Table(
                            "aligned faces of " + data + " -> " + out,
                            "identities",
                            "faces",
                            "from stills",
                            "from video frames",
                            "left out (< --min-side)",
                            "labelled past video end",
                            "seconds")
                    .row(
                            subjects.size(),
                            written[0] + written[1],
                            written[0],
                            written[1],
                            small[0],
                            counts.missingFaces(),
                            Math.round((System.nanoTime() - t0) / 1e8) / 10.0)
                    .note(
                            "layout",
                            "<subject>/videos_<V>_<F>.jpg and <subject>/img_<ID>.jpg, 112x112, ground-truth landmarks");
            table.print(System.out);
            Table.writeJson(json, List.of(table));
        }
        return 0;
    }

    /** The reference's aligned-face file name (adaface.md §5c). */
    static String fileName(GroundTruthFace f) {
        return switch (f.media()) {
            case Media.Video v -> "videos_" + v.id() + "_" + f.frame() + ".jpg";
            case Media.Still s -> "img_" + s.id() + ".jpg";
        };
    }
}
