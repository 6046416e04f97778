package io.facestream.ops.synth;

import io.facestream.core.config.FacestreamPaths;
import io.facestream.ops.cli.ConfigOptions;
import io.facestream.ops.report.Table;
import io.facestream.synth.BlendedIdentities;
import io.facestream.synth.DonorFace;
import io.facestream.synth.DonorFinder;
import io.facestream.synth.DonorPhotos;
import io.facestream.synth.IdentitySource;
import io.facestream.synth.IjbsSynthesizer;
import io.facestream.synth.PhotoFolderIdentities;
import io.facestream.synth.SynthSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code facestream synth ijbs}: a synthetic data set in the IJB-S layout (docs/synth.md). */
@Command(
        name = "ijbs",
        mixinStandardHelpOptions = true,
        description =
                "Render identities, enrolment stills and surveillance videos with ground truth and IJB-S protocol files.")
public final class IjbsSynthCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, description = "Output folder (created).")
    Path out;

    @Option(
            names = "--subjects",
            defaultValue = "100",
            description = "Number of identities (default ${DEFAULT-VALUE}).")
    int subjects;

    @Option(
            names = "--videos",
            defaultValue = "60",
            description = "Number of surveillance videos (default ${DEFAULT-VALUE}).")
    int videos;

    @Option(
            names = "--seed",
            defaultValue = "1",
            description = "Random seed; same seed, same data (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--faces-from",
            description = "Folder with one sub-folder of face photos per identity (instead of blended donors).")
    Path facesFrom;

    @Option(
            names = "--donors",
            split = ",",
            description = "Donor photos for blended identities (default: shared photos + @vladmandic/human assets).")
    List<Path> donors;

    @Option(
            names = "--frames-per-video",
            defaultValue = "150",
            description = "Frames per video at 25 fps (default ${DEFAULT-VALUE}).")
    int frames;

    @Option(
            names = "--size",
            defaultValue = "640x480",
            description = "Video frame size WxH (default ${DEFAULT-VALUE}).")
    String size;

    @Option(
            names = "--min-face",
            defaultValue = "16",
            description = "Smallest face box width in videos, px (default ${DEFAULT-VALUE}).")
    int minFace;

    @Option(
            names = "--max-face",
            defaultValue = "120",
            description = "Largest face box width in videos, px (default ${DEFAULT-VALUE}).")
    int maxFace;

    @Option(names = "--threads", description = "Videos rendered in parallel (default: CPU cores).")
    Integer threads;

    @Option(names = "--json", description = "Write the summary table as JSON.")
    Path json;

    @Mixin
    ConfigOptions options;

    @Override
    public Integer call() {
        String[] wh = size.toLowerCase(java.util.Locale.ROOT).split("x");
        if (wh.length != 2) {
            throw new IllegalArgumentException("--size must look like 640x480, got '" + size + "'");
        }
        int w, h;
        try {
            w = Integer.parseInt(wh[0]);
            h = Integer.parseInt(wh[1]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--size must look like 640x480, got '" + size + "'");
        }
        SynthSpec spec = new SynthSpec(
                out,
                subjects,
                videos,
                seed,
                frames,
                w,
                h,
                minFace,
                maxFace,
                threads == null ? Runtime.getRuntime().availableProcessors() : threads);
        IdentitySource source = identitySource();
        IjbsSynthesizer.Summary s = new IjbsSynthesizer(spec, source, System.err).generate();
        Table table = new Table(
                        "synthetic IJB-S data set " + out,
                        "subjects",
                        "enrolled",
                        "stills",
                        "videos",
                        "frames",
                        "video faces",
                        "MB",
                        "seconds")
                .row(
                        s.subjects(),
                        s.enrolled(),
                        s.stills(),
                        s.videos(),
                        s.frames(),
                        s.videoFaces(),
                        Math.round(s.bytes() / 1e5) / 10.0,
                        Math.round(s.seconds() * 10) / 10.0)
                .note("identities", source.describe())
                .note("seed", seed);
        table.print(System.out);
        Table.writeJson(json, List.of(table));
        return 0;
    }

    private IdentitySource identitySource() {
        DonorFinder finder = new DonorFinder(36);
        if (facesFrom != null) {
            return new PhotoFolderIdentities(facesFrom, finder);
        }
        FacestreamPaths paths = FacestreamPaths.of(options.load());
        List<Path> photos = donors != null ? donors : DonorPhotos.defaults(paths.sharedOrNull(), paths.cache());
        List<DonorFace> faces = new ArrayList<>();
        for (Path p : photos) {
            faces.addAll(finder.find(p));
        }
        return new BlendedIdentities(faces);
    }
}
