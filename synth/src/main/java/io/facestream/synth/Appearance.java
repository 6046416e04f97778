package io.facestream.synth;

import java.util.SplittableRandom;

/**
 * How one identity looks in one shot: head turn (yaw, as a perspective squeeze of the canonical face), overall
 * brightness, a side-light gradient and a colour cast. Expression and identity stay fixed; only these nuisance
 * factors vary between the stills and videos of a person.
 *
 * @param yaw       −0.2…0.2, positive turns the face to image-right (its left side foreshortened)
 * @param gain      brightness multiplier
 * @param sideLight brightness difference between the two sides of the face (−0.4…0.4)
 * @param castB     blue channel multiplier (colour of the light)
 * @param castR     red channel multiplier
 */
public record Appearance(double yaw, double gain, double sideLight, double castB, double castR) {

    /** The mug-shot look of the single enrolment still: frontal, even light. */
    public static final Appearance FRONTAL = new Appearance(0, 1, 0, 1, 1);

    /** A random look; {@code spread} scales every factor (0.5 for booking stills, 1 for surveillance). */
    public static Appearance random(SplittableRandom rnd, double spread) {
        return new Appearance(
                spread * 0.2 * (2 * rnd.nextDouble() - 1),
                1 + spread * 0.35 * (2 * rnd.nextDouble() - 1),
                spread * 0.4 * (2 * rnd.nextDouble() - 1),
                1 + spread * 0.15 * (2 * rnd.nextDouble() - 1),
                1 + spread * 0.15 * (2 * rnd.nextDouble() - 1));
    }
}
