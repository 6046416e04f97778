package io.facestream.eval.ijbs;

import io.facestream.eval.ijbs.protocol.Media;

/**
 * Where an aligned face came from, in the reference's file naming (adaface.md §5c): {@code <SUBJECT>/videos_<VIDEO>_<FRAME>.jpg}
 * for a video frame, {@code <SUBJECT>/img_<ID>.jpg} for a still. Only the last two path components count.
 */
public sealed interface FacePath {

    int subject();

    /** The media template key this face accumulates into, "S_videos_V" or "S_img_I" in the reference. */
    String templateKey();

    record VideoFrame(int subject, String video, String frame) implements FacePath {
        @Override
        public String templateKey() {
            return keyOf(subject, new Media.Video(video));
        }
    }

    record Still(int subject, String id) implements FacePath {
        @Override
        public String templateKey() {
            return keyOf(subject, new Media.Still(id));
        }
    }

    /** The key of a protocol template's media for one subject; equal to {@link #templateKey()} of its faces. */
    static String keyOf(int subject, Media media) {
        return switch (media) {
            case Media.Video v -> subject + "_videos_" + v.id();
            case Media.Still s -> subject + "_img_" + s.id();
        };
    }

    /** Parses a face path; the message says what was expected. */
    static FacePath parse(String path) {
        String p = path.replace('\\', '/');
        int slash = p.lastIndexOf('/');
        if (slash <= 0) {
            throw new IllegalArgumentException("'" + path + "' has no <SUBJECT>/ folder; expected "
                    + "<SUBJECT>/videos_<VIDEO>_<FRAME>.jpg or <SUBJECT>/img_<ID>.jpg");
        }
        String dir = p.substring(p.lastIndexOf('/', slash - 1) + 1, slash);
        String file = p.substring(slash + 1);
        int subject;
        try {
            subject = Integer.parseInt(dir);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "'" + path + "': subject folder '" + dir + "' is not an integer subject id");
        }
        int dot = file.lastIndexOf('.');
        String stem = dot > 0 ? file.substring(0, dot) : file;
        if (stem.startsWith("videos_")) {
            String rest = stem.substring("videos_".length());
            int cut = rest.indexOf('_');
            if (cut <= 0 || cut == rest.length() - 1) {
                throw new IllegalArgumentException("'" + path + "': expected videos_<VIDEO>_<FRAME>.<ext>");
            }
            return new VideoFrame(subject, rest.substring(0, cut), rest.substring(cut + 1));
        }
        if (stem.startsWith("img_") && stem.length() > "img_".length()) {
            return new Still(subject, stem.substring("img_".length()));
        }
        throw new IllegalArgumentException(
                "'" + path + "': file name is neither videos_<VIDEO>_<FRAME>.<ext> nor img_<ID>.<ext>");
    }
}
