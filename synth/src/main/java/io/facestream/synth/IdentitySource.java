package io.facestream.synth;

import java.util.List;

/** Where identities come from: blends of donor faces, or one real person per photo sub-folder. */
public sealed interface IdentitySource permits BlendedIdentities, PhotoFolderIdentities {

    /** Exactly {@code count} identities, subject ids 1…count, the same for the same seed. */
    List<Identity> identities(int count, long seed);

    /** A one-line description for the generation report. */
    String describe();
}
