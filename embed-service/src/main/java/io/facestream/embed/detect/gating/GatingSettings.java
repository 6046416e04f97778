package io.facestream.embed.detect.gating;

import io.facestream.core.config.FacestreamConfig;
import java.util.Locale;

/**
 * The {@code face.gating.*} configuration: where in a camera's frame the detector looks.
 *
 * @param mode            off (every frame whole), motion, tracks or motion+tracks
 * @param fullEvery       a camera's first frame and every fullEvery-th after it are searched whole
 * @param motionWidth     width of the grey frame the motion gate differences, pixels
 * @param motionThreshold grey-level change (0-255) of a downscaled pixel that counts as motion
 * @param motionMargin    border added around a moving region, as a fraction of its larger side
 * @param tracksMargin    border added around a face's predicted box, as a fraction of its larger side
 * @param tracksKeep      frames a face's region is still searched after the face was last found
 */
public record GatingSettings(
        Mode mode,
        int fullEvery,
        int motionWidth,
        double motionThreshold,
        double motionMargin,
        double tracksMargin,
        int tracksKeep) {

    /** Every frame searched whole: the detector as it is. */
    public static final GatingSettings OFF = new GatingSettings(Mode.OFF, 1, 160, 12, 0.1, 0.5, 2);

    public enum Mode {
        OFF(false, false),
        MOTION(true, false),
        TRACKS(false, true),
        MOTION_TRACKS(true, true);

        private final boolean motion;
        private final boolean tracks;

        Mode(boolean motion, boolean tracks) {
            this.motion = motion;
            this.tracks = tracks;
        }

        public boolean motion() {
            return motion;
        }

        public boolean tracks() {
            return tracks;
        }

        /** The configuration's spelling: off, motion, tracks, motion+tracks. */
        public String key() {
            return name().toLowerCase(Locale.ROOT).replace('_', '+');
        }

        public static Mode parse(String text) {
            String t = text.trim().toLowerCase(Locale.ROOT);
            for (Mode m : values()) {
                if (m.key().equals(t)) {
                    return m;
                }
            }
            throw new IllegalArgumentException(
                    "face.gating.mode must be off, motion, tracks or motion+tracks, got '" + text + "'");
        }
    }

    public GatingSettings {
        if (fullEvery < 1) {
            throw new IllegalArgumentException("face.gating.full-every must be >= 1, got " + fullEvery);
        }
        if (motionWidth < 16) {
            throw new IllegalArgumentException("face.gating.motion.width must be >= 16 px, got " + motionWidth);
        }
    }

    public static GatingSettings from(FacestreamConfig c) {
        return new GatingSettings(
                Mode.parse(c.getString("face.gating.mode")),
                c.getInt("face.gating.full-every"),
                c.getInt("face.gating.motion.width"),
                c.getDouble("face.gating.motion.threshold"),
                c.getDouble("face.gating.motion.margin"),
                c.getDouble("face.gating.tracks.margin"),
                c.getInt("face.gating.tracks.keep"));
    }
}
