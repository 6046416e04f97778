package io.facestream.synth;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;

/**
 * Renders one surveillance video: a backdrop, the cast walking in and out at different distances (near people drawn
 * over far ones, scene objects over everyone), the camera's degradations, then libx264. The first walker of every
 * video goes from the smallest to the largest face size so each video spans the requested range.
 */
public final class VideoRenderer {
    private final SynthSpec spec;
    private final List<Identity> identities;

    public VideoRenderer(SynthSpec spec, List<Identity> identities) {
        this.spec = spec;
        this.identities = identities;
    }

    /** Writes {@code videos/<id>.mp4} and returns its ground truth, frame by frame. */
    public List<FaceLabel> render(int video, List<Integer> cast, Runnable onFrame) {
        SplittableRandom rnd = new SplittableRandom(spec.seed() * 7_919L + 31L * video + 5);
        int w = spec.width(), h = spec.height(), n = spec.framesPerVideo();
        String file = SynthSpec.videoFile(video);
        List<Walk> walks = new ArrayList<>();
        List<Figure> figures = new ArrayList<>();
        List<FaceSprite> sprites = new ArrayList<>();
        for (int i = 0; i < cast.size(); i++) {
            int subject = cast.get(i);
            boolean spanning = i == 0;
            int start = spanning ? 0 : rnd.nextInt(Math.max(1, n / 3));
            int end = spanning ? n - 1 : Math.min(n - 1, start + n / 2 + rnd.nextInt(Math.max(1, n / 2)));
            double sa = spec.minFace() + rnd.nextDouble() * (spec.maxFace() - spec.minFace());
            double sb = spec.minFace() + rnd.nextDouble() * (spec.maxFace() - spec.minFace());
            boolean approaching = rnd.nextBoolean();
            double from = spanning ? spec.minFace() : sa, to = spanning ? spec.maxFace() : sb;
            Walk walk = approaching
                    ? Walk.plan(subject, start, end, from, to, w, h, spec.minFace(), spec.maxFace(), rnd)
                    : Walk.plan(subject, start, end, to, from, w, h, spec.minFace(), spec.maxFace(), rnd);
            walks.add(walk);
            figures.add(new Figure(subject, colour(rnd), hair(rnd)));
            Identity id = identities.get(subject - 1);
            SplittableRandom lookRnd = new SplittableRandom(walk.lookSeed());
            Look look = id.looks().get(lookRnd.nextInt(id.looks().size()));
            sprites.add(new FaceSprite(look, Appearance.random(lookRnd, 1.0)));
        }
        List<FaceLabel> labels = new ArrayList<>();
        Path path = spec.out().resolve(file);
        Backdrop scene = new Backdrop(w, h, rnd);
        int crf = 23 + rnd.nextInt(8);
        try (Degradation camera = new Degradation(w, h, rnd);
                Mp4Writer writer = new Mp4Writer(path, w, h, SynthSpec.FPS, crf)) {
            for (int f = 0; f < n; f++) {
                Mat frame = scene.emptyFrame();
                List<Integer> present = new ArrayList<>();
                for (int i = 0; i < walks.size(); i++) {
                    if (walks.get(i).covers(f)) {
                        present.add(i);
                    }
                }
                final int frameIndex = f;
                present.sort(Comparator.comparingDouble(
                        i -> walks.get(i).at(frameIndex, w, h).size()));
                for (int i : present) {
                    Walk.Pose pose = walks.get(i).at(f, w, h);
                    Similarity place = Figure.placement(pose.cx(), pose.cy(), pose.size(), pose.roll());
                    labels.add(figures.get(i).draw(frame, sprites.get(i), place, file, f, scene));
                }
                scene.drawForeground(frame);
                camera.apply(frame, f);
                writer.write(frame);
                frame.close();
                onFrame.run();
            }
        } finally {
            sprites.forEach(FaceSprite::close);
            scene.close();
        }
        labels.sort(Comparator.comparingInt(FaceLabel::frame).thenComparingInt(FaceLabel::subject));
        return labels;
    }

    static Scalar colour(SplittableRandom rnd) {
        return new Scalar(20 + rnd.nextInt(200), 20 + rnd.nextInt(200), 20 + rnd.nextInt(200), 0);
    }

    static Scalar hair(SplittableRandom rnd) {
        int v = 15 + rnd.nextInt(90);
        return new Scalar(v * 0.8, v * 0.9, v, 0);
    }
}
