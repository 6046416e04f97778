package io.facestream.trainer.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.embed.model.ModelStore;
import io.facestream.embed.model.zoo.ModelZoo;
import io.facestream.embed.model.zoo.SamplePhotos;
import io.facestream.trainer.data.Augmentation;
import io.facestream.trainer.data.FaceDataset;
import io.facestream.trainer.graph.IrNet;
import io.facestream.trainer.head.CentreInit;
import io.facestream.trainer.head.HeadKind;
import io.facestream.trainer.testing.PhotoFaces;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prototype class centres with the real MobileFaceNet on real faces: the first training step starts far closer to a
 * solved problem than with random centres, so the margin loss (and the gradient it sends into the pretrained backbone)
 * is much smaller.
 */
class PrototypeCentresTest {
    @TempDir
    static Path dir;

    static Path data;
    static BaseModel base;

    @BeforeAll
    static void prepare() {
        ModelStore models = ModelZoo.defaultStore();
        ModelZoo.ensure(models, "mobilefacenet");
        base = BaseModel.resolve(models, "mobilefacenet", 7);
        // every face of the sample crowd (six group photographs tiled) is an identity (crop + mirror image): few, real
        // faces, all distinct but one woman who is in two of the photographs
        data = PhotoFaces.folder(dir.resolve("faces"), SamplePhotos.fetch().crowd(), ModelZoo.ensure(models, "mtcnn"));
    }

    private static double firstLoss(CentreInit centres) {
        Hyperparameters hyper = Hyperparameters.defaults()
                .withBatch(16)
                .withLearningRate(1e-4)
                .withSeed(7)
                .withLoaderThreads(1)
                .withCentres(centres);
        try (FaceDataset ds = FaceDataset.open(data);
                TrainingSession session = new TrainingSession(
                        base, ds, HeadKind.ADAFACE, new Budget.Steps(1), hyper, Augmentation.NONE, "cpu", null)) {
            System.out.println(session.centresOrigin());
            return session.step().loss();
        }
    }

    @Test
    void prototypeCentresStartWithAMuchLowerLossThanRandomOnes() {
        double prototypes = firstLoss(CentreInit.PROTOTYPES);
        double random = firstLoss(CentreInit.RANDOM);
        System.out.printf("first-step AdaFace loss: prototypes %.3f, random %.3f%n", prototypes, random);
        assertTrue(Double.isFinite(prototypes) && Double.isFinite(random));
        assertTrue(prototypes < 0.25 * random, "prototypes " + prototypes + " vs random " + random);
    }

    @Test
    void aPretrainedBaseDefaultsToPrototypesAndAnIrNetFromScratchToRandom() {
        assertEquals(CentreInit.PROTOTYPES, Hyperparameters.defaults().centresFor(base));
        assertEquals(
                CentreInit.RANDOM,
                Hyperparameters.defaults()
                        .centresFor(BaseModel.fromScratch(
                                new IrNet("ir-tiny", new int[] {8, 16, 16, 32}, new int[] {1, 1, 1, 1}, 32, 64), 1)));
        assertEquals(
                CentreInit.RANDOM,
                Hyperparameters.defaults().withCentres(CentreInit.RANDOM).centresFor(base));
    }
}
