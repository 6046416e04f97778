package io.facestream.eval.ijbs.protocol;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads an IJB-S protocol folder with the files and columns of adaface.md §5c, and refuses anything the reference
 * would mis-score silently: every error names the file, the line and the reason.
 *
 * <p>Files (first line of each is a header):
 * <ul>
 *   <li>{@code cs6_metadata.csv}: col0 SUBJECT_ID, col1 FILENAME; optional FRAME, FACE_WIDTH, FACE_HEIGHT by header name.</li>
 *   <li>{@code cs6_surveillance_to_single-booking_probe.csv}, {@code cs6_surveillance_to_surveillance_probe.csv}:
 *       one video file name per line.</li>
 *   <li>{@code galleries/cs6_surveillance_to_{single,booking,surveillance}_g{1,2}.csv}: col1 subject, col2 media.</li>
 * </ul>
 */
public final class IjbsProtocolReader {
    public static final String METADATA = "cs6_metadata.csv";
    public static final String STILL_PROBES = "cs6_surveillance_to_single-booking_probe.csv";
    public static final String SURVEILLANCE_PROBES = "cs6_surveillance_to_surveillance_probe.csv";

    private final Path folder;
    /** (subject, video) pairs in first-appearance order: the reference's video templates. */
    private final Set<SubjectVideo> videoTemplates = new LinkedHashSet<>();

    private final Set<String> videos = new LinkedHashSet<>();
    private final Set<Integer> subjects = new LinkedHashSet<>();

    private IjbsProtocolReader(Path folder) {
        this.folder = folder;
    }

    public static IjbsProtocolFolder read(Path folder) {
        if (!Files.isDirectory(folder)) {
            throw new IllegalArgumentException("protocol folder " + folder + " does not exist or is not a directory");
        }
        return new IjbsProtocolReader(folder).read();
    }

    private IjbsProtocolFolder read() {
        FaceSizes sizes = readMetadata();
        List<Template> stillProbes = probes(STILL_PROBES);
        List<Template> surveillanceProbes = probes(SURVEILLANCE_PROBES);
        GalleryPair single = pair(this::singleGallery, "single");
        GalleryPair booking = pair(this::bookingGallery, "booking");
        GalleryPair surveillance = pair(this::surveillanceGallery, "surveillance");
        return new IjbsProtocolFolder(folder, stillProbes, surveillanceProbes, single, booking, surveillance, sizes);
    }

    private record SubjectVideo(int subject, String video) {}

    private FaceSizes readMetadata() {
        ProtocolCsv csv = ProtocolCsv.read(folder, METADATA);
        if (csv.rows().isEmpty()) {
            throw new ProtocolFileException(csv.file(), 0, "no data rows");
        }
        int frameCol = csv.column("FRAME", "FRAME_NUM", "FRAME_NUMBER");
        int widthCol = csv.column("FACE_WIDTH");
        int heightCol = csv.column("FACE_HEIGHT");
        boolean withSizes = frameCol >= 0 && widthCol >= 0 && heightCol >= 0;
        Map<String, Double> sides = new HashMap<>();
        for (CsvRow row : csv.rows()) {
            int subject = row.subject(0);
            Media media = row.media(1);
            subjects.add(subject);
            if (media instanceof Media.Video v) {
                videoTemplates.add(new SubjectVideo(subject, v.id()));
                videos.add(v.id());
                if (withSizes) {
                    double side = Math.max(number(row, widthCol, "FACE_WIDTH"), number(row, heightCol, "FACE_HEIGHT"));
                    sides.put(FaceSizes.key(subject, v.id(), row.field(frameCol, "FRAME")), side);
                }
            }
        }
        return new FaceSizes(sides);
    }

    private static double number(CsvRow row, int col, String name) {
        String value = row.field(col, name);
        try {
            double d = Double.parseDouble(value);
            if (!(d > 0) || Double.isInfinite(d)) {
                throw row.fail(name + " '" + value + "' is not a positive number");
            }
            return d;
        } catch (NumberFormatException e) {
            throw row.fail(name + " '" + value + "' is not a number");
        }
    }

    /** All (subject, video) templates of the listed videos: every subject seen in a probe video is one probe. */
    private List<Template> probes(String name) {
        ProtocolCsv csv = ProtocolCsv.read(folder, name);
        Set<String> listed = new LinkedHashSet<>();
        for (CsvRow row : csv.rows()) {
            if (row.fields().size() != 1) {
                throw row.fail("expected one video file name per line, found "
                        + row.fields().size() + " columns");
            }
            if (!(row.media(0) instanceof Media.Video v)) {
                throw row.fail("'" + row.fields().get(0) + "' is not a video (videos/<ID>.<ext>)");
            }
            if (!videos.contains(v.id())) {
                throw row.fail("media without frames: video '" + row.fields().get(0) + "' has no rows in " + METADATA);
            }
            listed.add(v.id());
        }
        if (listed.isEmpty()) {
            throw new ProtocolFileException(csv.file(), 0, "lists no probe videos");
        }
        List<Template> probes = new ArrayList<>();
        for (SubjectVideo sv : videoTemplates) {
            if (listed.contains(sv.video())) {
                probes.add(Template.of(sv.subject(), new Media.Video(sv.video())));
            }
        }
        return probes;
    }

    private interface GalleryFile {
        Gallery read(String name, String relative, Map<Integer, String> enrolled);
    }

    private GalleryPair pair(GalleryFile file, String kind) {
        // Shared across G1 and G2: the reference asserts at most one mate per probe over G1 ∪ G2.
        Map<Integer, String> enrolled = new HashMap<>();
        String prefix = "galleries/cs6_surveillance_to_" + kind + "_";
        return new GalleryPair(
                file.read("G1", prefix + "g1.csv", enrolled), file.read("G2", prefix + "g2.csv", enrolled));
    }

    /** Records where a gallery subject was enrolled, so that a second enrolment can name the first. */
    private static void enrol(Map<Integer, String> enrolled, int subject, CsvRow row) {
        String previous = enrolled.putIfAbsent(subject, row.file().getFileName() + ":" + row.line());
        if (previous != null) {
            throw row.fail("subject " + subject + " is already enrolled at " + previous
                    + "; a probe must have at most one mate in G1 ∪ G2");
        }
    }

    private int knownSubject(CsvRow row) {
        int subject = row.subject(1);
        if (!subjects.contains(subject)) {
            throw row.fail("unknown subject " + subject + ": not in " + METADATA);
        }
        return subject;
    }

    private Media.Still still(CsvRow row) {
        if (!(row.media(2) instanceof Media.Still s)) {
            throw row.fail("'" + row.fields().get(2) + "' is not a still image (img/<ID>.<ext>)");
        }
        return s;
    }

    private Gallery singleGallery(String name, String relative, Map<Integer, String> enrolled) {
        ProtocolCsv csv = ProtocolCsv.read(folder, relative);
        List<Template> templates = new ArrayList<>();
        for (CsvRow row : csv.rows()) {
            int subject = knownSubject(row);
            Media.Still still = still(row);
            enrol(enrolled, subject, row);
            templates.add(Template.of(subject, still));
        }
        return nonEmpty(csv, new Gallery(name, templates));
    }

    private Gallery bookingGallery(String name, String relative, Map<Integer, String> enrolled) {
        ProtocolCsv csv = ProtocolCsv.read(folder, relative);
        Map<Integer, List<Media>> bySubject = new LinkedHashMap<>();
        for (CsvRow row : csv.rows()) {
            int subject = knownSubject(row);
            Media.Still still = still(row);
            if (!bySubject.containsKey(subject)) {
                enrol(enrolled, subject, row);
            }
            bySubject.computeIfAbsent(subject, s -> new ArrayList<>()).add(still);
        }
        List<Template> templates = new ArrayList<>();
        bySubject.forEach((subject, media) -> templates.add(new Template(subject, media)));
        return nonEmpty(csv, new Gallery(name, templates));
    }

    private Gallery surveillanceGallery(String name, String relative, Map<Integer, String> enrolled) {
        ProtocolCsv csv = ProtocolCsv.read(folder, relative);
        Set<SubjectVideo> pairs = new LinkedHashSet<>();
        for (CsvRow row : csv.rows()) {
            int subject = knownSubject(row);
            if (!(row.media(2) instanceof Media.Video v)) {
                throw row.fail("'" + row.fields().get(2) + "' is not a video (videos/<ID>.<ext>)");
            }
            SubjectVideo sv = new SubjectVideo(subject, v.id());
            if (!videoTemplates.contains(sv)) {
                throw row.fail("media without frames: subject " + subject + " has no rows for video '"
                        + row.fields().get(2) + "' in " + METADATA);
            }
            if (pairs.add(sv)) {
                enrol(enrolled, subject, row);
            }
        }
        List<Template> templates = pairs.stream()
                .map(sv -> Template.of(sv.subject(), new Media.Video(sv.video())))
                .toList();
        return nonEmpty(csv, new Gallery(name, templates));
    }

    private static Gallery nonEmpty(ProtocolCsv csv, Gallery gallery) {
        if (gallery.templates().isEmpty()) {
            throw new ProtocolFileException(csv.file(), 0, "gallery has no templates");
        }
        return gallery;
    }
}
