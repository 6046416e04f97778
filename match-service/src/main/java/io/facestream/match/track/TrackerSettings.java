package io.facestream.match.track;

import io.facestream.core.config.FacestreamConfig;
import java.time.Duration;

/**
 * How faces are associated into tracks and when tracks end.
 *
 * @param minIou                  box overlap with the track's last box that counts as "same place"
 * @param minAppearanceWithIou    appearance floor even with overlap, so two people crossing are not merged
 * @param minAppearanceAlone      appearance that re-joins a track without overlap (after a short occlusion)
 * @param closeAfter              capture-time gap after which a track is closed
 * @param reorderWindow           how far behind the camera's newest capture time a face may arrive and still count
 * @param idleClose               silence of a camera after which its open tracks are closed: as reported by the embed
 *                                service (measured on the frames topic), or, for faces of an embed service that reports
 *                                no progress, wall-clock time without a face
 * @param provisionalMinFaces     accepted faces a track needs before its PROVISIONAL decision
 * @param stallClose              wall-clock time without any record of a camera whose embed service reports progress
 *                                after which its open tracks are closed anyway (that service is gone)
 */
public record TrackerSettings(
        double minIou,
        double minAppearanceWithIou,
        double minAppearanceAlone,
        Duration closeAfter,
        Duration reorderWindow,
        Duration idleClose,
        int provisionalMinFaces,
        Duration stallClose) {

    /** Default for {@code match.track.stall-close}. */
    public static final Duration DEFAULT_STALL_CLOSE = Duration.ofMinutes(2);

    public TrackerSettings(
            double minIou,
            double minAppearanceWithIou,
            double minAppearanceAlone,
            Duration closeAfter,
            Duration reorderWindow,
            Duration idleClose,
            int provisionalMinFaces) {
        this(
                minIou,
                minAppearanceWithIou,
                minAppearanceAlone,
                closeAfter,
                reorderWindow,
                idleClose,
                provisionalMinFaces,
                DEFAULT_STALL_CLOSE);
    }

    public TrackerSettings {
        if (minIou < 0 || minIou > 1) {
            throw new IllegalArgumentException("match.track.min-iou must be in [0,1], got " + minIou);
        }
        if (provisionalMinFaces < 1) {
            throw new IllegalArgumentException(
                    "match.provisional.min-faces must be at least 1, got " + provisionalMinFaces);
        }
        if (closeAfter.isNegative() || closeAfter.isZero()) {
            throw new IllegalArgumentException("match.track.close-after must be positive, got " + closeAfter);
        }
        if (stallClose.isNegative() || stallClose.isZero()) {
            throw new IllegalArgumentException("match.track.stall-close must be positive, got " + stallClose);
        }
    }

    public static TrackerSettings from(FacestreamConfig c) {
        return new TrackerSettings(
                c.getDouble("match.track.min-iou"),
                c.getDouble("match.track.min-appearance-with-iou"),
                c.getDouble("match.track.min-appearance-alone"),
                c.getDuration("match.track.close-after"),
                c.getDuration("match.track.reorder-window"),
                c.getDuration("match.track.idle-close"),
                c.getInt("match.provisional.min-faces"),
                c.getDuration("match.track.stall-close"));
    }

    long closeAfterUs() {
        return closeAfter.toNanos() / 1000;
    }

    long reorderWindowUs() {
        return reorderWindow.toNanos() / 1000;
    }
}
