package io.facestream.synth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the IJB-S protocol folder (file names and the columns the reference evaluation reads; see
 * docs/synth.md): {@code cs6_metadata.csv} (every face in every still and frame, with its ground truth), the two
 * probe lists, and G1/G2 of the single, booking and surveillance galleries.
 */
public final class ProtocolWriter {
    private final Path root;

    public ProtocolWriter(Path root) {
        this.root = root;
    }

    public void write(SynthSpec spec, Casting casting, List<FaceLabel> stills, List<List<FaceLabel>> videoLabels) {
        List<String> metadata = new ArrayList<>();
        metadata.add(FaceLabel.HEADER);
        stills.forEach(l -> metadata.add(l.csv()));
        videoLabels.forEach(v -> v.forEach(l -> metadata.add(l.csv())));
        lines("cs6_metadata.csv", metadata);

        List<String> single = new ArrayList<>(), surveillanceProbes = new ArrayList<>();
        single.add("FILENAME");
        surveillanceProbes.add("FILENAME");
        for (int v = 0; v < spec.videos(); v++) {
            single.add(SynthSpec.videoFile(v));
            if (!casting.galleryVideo()[v]) {
                surveillanceProbes.add(SynthSpec.videoFile(v));
            }
        }
        lines("cs6_surveillance_to_single-booking_probe.csv", single);
        lines("cs6_surveillance_to_surveillance_probe.csv", surveillanceProbes);

        for (int g = 1; g <= 2; g++) {
            List<String> singleRows = header(), bookingRows = header(), survRows = header();
            int template = g * 100_000;
            for (int s = 1; s <= spec.subjects(); s++) {
                if (casting.galleryOf(s) != g) {
                    continue;
                }
                singleRows.add(++template + "," + s + "," + SynthSpec.stillFile(s, 0));
                int booking = ++template;
                for (int k = 0; k < SynthSpec.BOOKING_STILLS; k++) {
                    bookingRows.add(booking + "," + s + "," + SynthSpec.stillFile(s, k));
                }
                for (int v = 0; v < spec.videos(); v++) {
                    if (casting.galleryVideo()[v] && casting.cast().get(v).contains(s)) {
                        survRows.add(++template + "," + s + "," + SynthSpec.videoFile(v));
                        break;
                    }
                }
            }
            lines("galleries/cs6_surveillance_to_single_g" + g + ".csv", singleRows);
            lines("galleries/cs6_surveillance_to_booking_g" + g + ".csv", bookingRows);
            lines("galleries/cs6_surveillance_to_surveillance_g" + g + ".csv", survRows);
        }
    }

    private static List<String> header() {
        List<String> rows = new ArrayList<>();
        rows.add("TEMPLATE_ID,SUBJECT_ID,FILENAME");
        return rows;
    }

    private void lines(String name, List<String> rows) {
        Path p = root.resolve(name);
        try {
            Files.createDirectories(p.getParent());
            Files.writeString(p, String.join("\n", rows) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + p, e);
        }
    }
}
