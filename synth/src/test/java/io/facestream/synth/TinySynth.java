package io.facestream.synth;

import io.facestream.core.config.FacestreamPaths;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/** Test data: a tiny synthetic IJB-S set at 320×240 from the default donor photos (skips when they are absent). */
public final class TinySynth {
    private TinySynth() {}

    public static Path generate(Path out, int subjects, int videos, int frames) {
        FacestreamPaths paths = FacestreamPaths.fromEnvironment();
        List<Path> photos;
        try {
            photos = DonorPhotos.defaults(paths.sharedOrNull(), paths.cache());
        } catch (IllegalStateException e) {
            Assumptions.abort("no donor photos available: " + e.getMessage());
            return out;
        }
        DonorFinder finder = new DonorFinder(36);
        List<DonorFace> donors = new ArrayList<>();
        photos.forEach(p -> donors.addAll(finder.find(p)));
        Assumptions.assumeTrue(donors.size() >= 2, "fewer than 2 donor faces found");
        SynthSpec spec = new SynthSpec(out, subjects, videos, 11, frames, 320, 240, 16, 120, 2);
        new IjbsSynthesizer(spec, new BlendedIdentities(donors), System.err).generate();
        return out;
    }
}
