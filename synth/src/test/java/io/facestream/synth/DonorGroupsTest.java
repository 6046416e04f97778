package io.facestream.synth;

import static org.bytedeco.opencv.global.opencv_core.flip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.embed.embedding.FaceEmbedder;
import io.facestream.embed.model.zoo.ModelZoo;
import io.facestream.embed.onnx.Device;
import io.facestream.embed.onnx.OnnxSessions;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;

/**
 * Donor grouping and identity separation with the real default model on the real npm donor photographs: a face and
 * its mirror image are one person, the faces that repeat in the sample images are grouped, no two groups look like
 * one person, and blended identities drawn with a likeness check are no closer than
 * {@link BlendedIdentities#MAX_LIKENESS} to each other.
 */
class DonorGroupsTest {

    @Test
    void oneGroupPerPersonAndIdentitiesKeptApart() {
        DonorFinder finder = new DonorFinder(36);
        List<DonorFace> npm = npmDonors(finder);
        Mat mirrored = new Mat();
        flip(npm.get(0).face(), mirrored, 1); // the canonical eye points are symmetric: a mirror image stays aligned
        List<DonorFace> donors = new ArrayList<>(npm);
        donors.add(new DonorFace("mirror of " + npm.get(0).source(), mirrored));
        try (FaceEmbedder embedder = new FaceEmbedder(
                ModelZoo.ensure(ModelZoo.defaultStore(), "mobilefacenet"), new OnnxSessions(Device.CPU, 1), 1)) {
            FaceLikeness likeness = new FaceLikeness(embedder);
            DonorGroups groups = DonorGroups.of(donors, likeness);
            assertEquals(donors.size(), groups.faces(), "every face is in one group");
            List<DonorFace> first = groups.groups().get(0);
            assertTrue(
                    first.contains(npm.get(0)) && first.contains(donors.getLast()),
                    "a face and its mirror image are one person: "
                            + first.stream().map(DonorFace::source).toList());
            assertTrue(
                    groups.groups().size() < npm.size(),
                    "the npm sample images show some people more than once: "
                            + groups.groups().size() + " groups of " + npm.size());
            List<float[]> reps =
                    groups.onePerPerson().stream().map(likeness::embed).toList();
            for (int i = 0; i < reps.size(); i++) {
                for (int j = i + 1; j < reps.size(); j++) {
                    assertTrue(
                            FaceLikeness.cosine(reps.get(i), reps.get(j)) <= DonorGroups.SAME_PERSON,
                            "two donors of different groups look like one person: " + i + ", " + j);
                }
            }

            List<Identity> ids = new BlendedIdentities(groups.onePerPerson(), likeness).identities(8, 1);
            List<float[]> e = ids.stream()
                    .map(i -> likeness.embed(
                            i.looks().get(0).face(), i.looks().get(0).landmarks()))
                    .toList();
            double closest = -1;
            for (int i = 0; i < e.size(); i++) {
                for (int j = i + 1; j < e.size(); j++) {
                    closest = Math.max(closest, FaceLikeness.cosine(e.get(i), e.get(j)));
                }
            }
            assertTrue(
                    closest <= BlendedIdentities.MAX_LIKENESS + 1e-6,
                    "8 identities from " + reps.size() + " people, closest pair cosine " + closest);
        }
    }

    private static List<DonorFace> npmDonors(DonorFinder finder) {
        List<DonorFace> out = new ArrayList<>();
        for (var p : DonorPhotos.defaults(
                null,
                io.facestream.core.config.FacestreamPaths.fromEnvironment().cache())) {
            out.addAll(finder.find(p));
        }
        return out;
    }
}
