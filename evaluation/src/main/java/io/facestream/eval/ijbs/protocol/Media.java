package io.facestream.eval.ijbs.protocol;

/**
 * One media file of the IJB-S protocol, as {@code cs6_metadata.csv} and the gallery files name it:
 * {@code videos/<VIDEO>.mp4} or {@code img/<ID>.jpg}. Only the stem matters: it is what the aligned-face file names
 * ({@code videos_<VIDEO>_<FRAME>.jpg}, {@code img_<ID>.jpg}) carry (adaface.md §5c, "Path → template mapping").
 */
public sealed interface Media {

    String id();

    /** A surveillance video; its frames are the faces of every template built on it. */
    record Video(String id) implements Media {
        public Video {
            // The aligned file name splits on '_' (videos_<V>_<F>), so a video id with '_' could never match a frame.
            if (id.isEmpty() || id.contains("_") || id.contains("/")) {
                throw new IllegalArgumentException(
                        "video id '" + id + "' must be non-empty and contain neither '_' nor '/'");
            }
        }
    }

    /** An enrolment still. */
    record Still(String id) implements Media {
        public Still {
            if (id.isEmpty() || id.contains("/")) {
                throw new IllegalArgumentException("still id '" + id + "' must be non-empty and contain no '/'");
            }
        }
    }

    /** Parses a protocol file name ({@code videos/4012.mp4}, {@code img/57.jpg}); throws naming the reason. */
    static Media parse(String filename) {
        int slash = filename.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException(
                    "media '" + filename + "' is neither videos/<ID>.<ext> nor img/<ID>.<ext>");
        }
        String folder = filename.substring(0, slash);
        String name = filename.substring(slash + 1);
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        return switch (folder) {
            case "videos" -> new Video(stem);
            case "img" -> new Still(stem);
            default ->
                throw new IllegalArgumentException(
                        "media '" + filename + "' is neither videos/<ID>.<ext> nor img/<ID>.<ext>");
        };
    }
}
