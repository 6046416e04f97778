package io.facestream.embed.service;

import static io.facestream.embed.service.EmbedServiceTest.config;
import static io.facestream.embed.service.EmbedServiceTest.frame;
import static io.facestream.embed.service.EmbedServiceTest.observations;
import static io.facestream.embed.service.EmbedServiceTest.produce;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.events.Box;
import io.facestream.core.events.FaceObservation;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.testing.ConsumerGroups;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import io.facestream.embed.detect.mtcnn.MtcnnDetector;
import io.facestream.embed.detect.mtcnn.MtcnnSettings;
import io.facestream.embed.image.ImageDecoder;
import io.facestream.embed.model.zoo.ModelZoo;
import io.facestream.embed.model.zoo.SamplePhotos;
import io.facestream.embed.onnx.Device;
import io.facestream.embed.onnx.OnnxSessions;
import io.facestream.embed.testing.TestModels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;
import org.junit.jupiter.api.Test;

/**
 * The embed service with {@code face.gating.mode=motion+tracks}: a camera's frames are searched in the region that
 * changed, then around the face's track, with the whole frame every {@code full-every} frames; every frame's face
 * comes out at the box the whole-frame pass gives.
 */
@KafkaBroker
class GatedEmbedServiceTest {
    @Test
    void aCamerasFaceIsFoundInEveryFrameWhetherSearchedWholeOrInItsRegions(@KafkaBroker.Bootstrap String bootstrap)
            throws Exception {
        String camera = "gated-" + UUID.randomUUID().toString().substring(0, 8);
        FacestreamConfig config = config(bootstrap, ModelZoo.defaultStore().root())
                .with(Map.of("face.gating.mode", "motion+tracks", "face.gating.full-every", 3));
        byte[] empty;
        byte[] withFace;
        try (Mat photo = new ImageDecoder().read(SamplePhotos.fetch().portrait(SamplePhotos.Portrait.SAME_A));
                Mat small = new Mat();
                Size size = new Size((int) (photo.cols() * 0.3), (int) (photo.rows() * 0.3));
                Scalar grey = new Scalar(110, 120, 115, 0);
                Mat corridor = new Mat(960, 1280, CV_8UC3, grey);
                Mat person = corridor.clone();
                Rect at = new Rect(317, 181, size.width(), size.height());
                Mat target = new Mat(person, at)) {
            resize(photo, small, size, 0, 0, INTER_AREA);
            small.copyTo(target);
            empty = jpeg(corridor);
            withFace = jpeg(person);
        }
        int perFrame;
        try (MtcnnDetector mtcnn = new MtcnnDetector(
                        TestModels.get("mtcnn"), new OnnxSessions(Device.CPU, 1), MtcnnSettings.ADAFACE);
                Mat decoded = new ImageDecoder().decode(withFace, "frame")) {
            perFrame = mtcnn.detect(decoded).size();
        }
        assertTrue(perFrame >= 1, "the pasted portrait has a face");
        // frame 0 whole (the camera's first); 1 in the region that changed; 2 in the track's region; 3 whole
        // (full-every 3); 4 in the track's region again
        List<ProducerRecord<String, byte[]>> frames = new ArrayList<>();
        frames.add(frame(camera, 0, empty, null));
        for (int seq = 1; seq <= 4; seq++) {
            frames.add(frame(camera, seq, withFace, null));
        }
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
            ConsumerGroups.startAtEnd(bootstrap, config.getString("embed.service.group-id"), TopicCatalog.FRAMES);
        }
        produce(bootstrap, frames);
        try (EmbedService service = EmbedService.start(config, bootstrap)) {
            List<FaceObservation> faces = observations(bootstrap, camera, 4 * perFrame);
            Map<Long, Box> largest = new TreeMap<>();
            for (FaceObservation o : faces) {
                Box b = o.getBox();
                largest.merge(
                        o.getFrameSeq(),
                        b,
                        (x, y) -> x.getWidth() * x.getHeight() >= y.getWidth() * y.getHeight() ? x : y);
            }
            assertEquals(List.of(1L, 2L, 3L, 4L), List.copyOf(largest.keySet()), "a face in every frame with one");
            Box whole = largest.get(3L);
            for (long seq : List.of(1L, 2L, 4L)) {
                Box b = largest.get(seq);
                // MTCNN is not shift-invariant: a crop moves P-Net's window grid relative to the picture, which moves
                // a 60-px face's box by a few pixels, as shifting the whole picture does (GatedMtcnnTest measures it)
                String msg = "frame " + seq + " " + b + " vs frame 3 (whole) " + whole;
                assertEquals(whole.getX(), b.getX(), 5, msg);
                assertEquals(whole.getY(), b.getY(), 5, msg);
                assertEquals(whole.getWidth(), b.getWidth(), 5, msg);
                assertEquals(whole.getHeight(), b.getHeight(), 5, msg);
            }
            assertEquals(4 * perFrame, service.totals().faces(), "every face embedded once");
        }
    }

    private static byte[] jpeg(Mat image) {
        try (BytePointer buf = new BytePointer()) {
            opencv_imgcodecs.imencode(".jpg", image, buf);
            byte[] out = new byte[(int) buf.limit()];
            buf.get(out);
            return out;
        }
    }
}
