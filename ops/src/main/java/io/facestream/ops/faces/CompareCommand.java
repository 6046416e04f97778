package io.facestream.ops.faces;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.json.Json;
import io.facestream.embed.pipeline.Face;
import io.facestream.embed.pipeline.FacePipeline;
import io.facestream.ops.cli.ConfigOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.bytedeco.opencv.opencv_core.Mat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code facestream compare A B [C ...]}: the largest face of each image is detected, aligned and embedded; prints the
 * cosine similarity matrix and each face's feature norm, like the example in the AdaFace README.
 */
@Command(
        name = "compare",
        mixinStandardHelpOptions = true,
        description = "Compare the largest face of each image: cosine similarity matrix and feature norms.")
public final class CompareCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions options;

    @Parameters(arity = "2..*", paramLabel = "IMAGE", description = "two or more images")
    List<Path> images;

    @Option(
            names = "--detector",
            paramLabel = "NAME",
            description = "mtcnn (default), blazeface, blazeface-front, or an installed detector")
    String detector;

    @Option(names = "--json", description = "print JSON (documented in docs/face-pipeline.md) instead of text")
    boolean json;

    @Option(names = "--device", paramLabel = "DEVICE", description = "cpu, cuda or cuda:N")
    String device;

    /** One image of {@code --json}: its face (null when none was found) and that face's raw feature norm. */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.ALWAYS)
    public record ImageResult(String image, int facesFound, FaceJson face, Float norm) {}

    /** What {@code --json} prints; {@code similarity[i][j]} is null where image i or j has no face. */
    public record Report(String detector, String embedder, List<ImageResult> images, Double[][] similarity) {}

    @Override
    public Integer call() throws Exception {
        FacestreamConfig config = options.load(FaceModels.flags(detector, device, null));
        List<ImageResult> results = new ArrayList<>();
        List<Optional<Face>> faces = new ArrayList<>();
        try (FacePipeline pipeline = FaceModels.pipeline(config)) {
            for (Path p : images) {
                try (Mat bgr = FaceModels.decoder(config).read(p)) {
                    int found = pipeline.detector().detect(bgr).size();
                    Optional<Face> face = found == 0 ? Optional.empty() : pipeline.largest(bgr);
                    faces.add(face);
                    results.add(new ImageResult(
                            p.toString(),
                            found,
                            face.map(f -> FaceJson.of(f.detection())).orElse(null),
                            face.map(f -> f.embedding().norm()).orElse(null)));
                }
            }
            Double[][] sim = new Double[images.size()][images.size()];
            for (int i = 0; i < sim.length; i++) {
                for (int j = 0; j < sim.length; j++) {
                    if (faces.get(i).isPresent() && faces.get(j).isPresent()) {
                        sim[i][j] = Math.round(faces.get(i)
                                                .get()
                                                .embedding()
                                                .cosine(faces.get(j).get().embedding())
                                        * 1e4)
                                / 1e4;
                    }
                }
            }
            Report report = new Report(
                    pipeline.detector().id(), pipeline.embedder().manifest().id(), results, sim);
            if (json) {
                System.out.println(
                        Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(report));
            } else {
                print(report);
            }
        } finally {
            faces.forEach(f -> f.ifPresent(Face::close));
        }
        return 0;
    }

    private static void print(Report r) {
        System.out.println("detector " + r.detector() + ", embedder " + r.embedder() + " (largest face per image)");
        for (int i = 0; i < r.images().size(); i++) {
            ImageResult img = r.images().get(i);
            if (img.face() == null) {
                System.out.printf(Locale.ROOT, "  [%d] %s: no face found%n", i, img.image());
            } else {
                System.out.printf(
                        Locale.ROOT,
                        "  [%d] %s: norm %.3f (%d face%s found)%n",
                        i,
                        img.image(),
                        img.norm(),
                        img.facesFound(),
                        img.facesFound() == 1 ? "" : "s");
            }
        }
        System.out.println("cosine similarity:");
        StringBuilder head = new StringBuilder("      ");
        for (int j = 0; j < r.similarity().length; j++) {
            head.append(String.format(Locale.ROOT, "%8s", "[" + j + "]"));
        }
        System.out.println(head);
        for (int i = 0; i < r.similarity().length; i++) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "  %-4s", "[" + i + "]"));
            for (Double v : r.similarity()[i]) {
                row.append(v == null ? String.format("%8s", "-") : String.format(Locale.ROOT, "%8.4f", v));
            }
            System.out.println(row);
        }
    }
}
