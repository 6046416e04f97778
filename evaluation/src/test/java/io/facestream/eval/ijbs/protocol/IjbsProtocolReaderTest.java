package io.facestream.eval.ijbs.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.eval.testing.TinyIjbs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IjbsProtocolReaderTest {
    @TempDir
    Path dir;

    @Test
    void readsTheReferenceLayout() throws IOException {
        IjbsProtocolFolder p = IjbsProtocolReader.read(TinyIjbs.writeProtocol(dir));

        // Probes = every (subject, video) pair of the listed videos, in metadata order.
        assertEquals(
                List.of(video(1, "10"), video(2, "10"), video(3, "20"), video(4, "20")), p.surveillanceToStillProbes());
        assertEquals(p.surveillanceToStillProbes(), p.probes(IjbsProtocol.SUR_TO_BOOK));
        assertEquals(p.surveillanceToSurveillanceProbes(), p.probes(IjbsProtocol.SUR_TO_SUR));
        assertEquals(
                List.of(Template.of(1, new Media.Still("101")), Template.of(2, new Media.Still("102"))),
                p.single().g1().templates());
        // Booking: one template per subject holding all its stills.
        assertEquals(
                new Template(2, List.of(new Media.Still("102"), new Media.Still("112"))),
                p.booking().g1().templates().get(1));
        assertEquals(List.of(video(3, "30")), p.surveillance().g2().templates());
        // Face size = max(width, height) of the box.
        assertTrue(p.faceSizes().known());
        assertEquals(24.0, p.faceSizes().side(1, "10", "0001").orElseThrow());
        assertEquals(90.0, p.faceSizes().side(4, "20", "2").orElseThrow());
        assertTrue(p.faceSizes().side(4, "20", "3").isEmpty());
    }

    @Test
    void metadataWithoutSizeColumnsHasNoFaceSizes() throws IOException {
        TinyIjbs.writeProtocol(dir);
        List<String> lines = Files.readAllLines(dir.resolve("cs6_metadata.csv"));
        Files.write(
                dir.resolve("cs6_metadata.csv"),
                lines.stream().map(l -> l.split(",")[0] + "," + l.split(",")[1]).toList());
        assertFalse(IjbsProtocolReader.read(dir).faceSizes().known());
    }

    @Test
    void missingFileIsNamed() throws IOException {
        TinyIjbs.writeProtocol(dir);
        Files.delete(dir.resolve("galleries/cs6_surveillance_to_booking_g2.csv"));
        ProtocolFileException e = assertThrows(ProtocolFileException.class, () -> IjbsProtocolReader.read(dir));
        assertEquals(dir.resolve("galleries/cs6_surveillance_to_booking_g2.csv"), e.file());
        assertTrue(e.getMessage().contains("missing protocol file"), e.getMessage());
    }

    @Test
    void malformedRowNamesFileLineAndReason() throws IOException {
        TinyIjbs.writeProtocol(dir);
        TinyIjbs.write(
                dir, "galleries/cs6_surveillance_to_single_g1.csv", "T,S,F\n1,1,img/101.jpg\n2,two,img/102.jpg\n");
        ProtocolFileException e = assertThrows(ProtocolFileException.class, () -> IjbsProtocolReader.read(dir));
        assertEquals(3, e.line());
        assertTrue(
                e.getMessage().endsWith("cs6_surveillance_to_single_g1.csv:3: subject id 'two' is not an integer"),
                e.getMessage());

        TinyIjbs.write(dir, "galleries/cs6_surveillance_to_single_g1.csv", "T,S,F\n1,1\n");
        e = assertThrows(ProtocolFileException.class, () -> IjbsProtocolReader.read(dir));
        assertTrue(e.getMessage().contains(":2: has 2 column(s), column 2 (FILENAME) is missing"), e.getMessage());

        TinyIjbs.write(dir, "galleries/cs6_surveillance_to_single_g1.csv", "T,S,F\n1,1,videos/10.mp4\n");
        e = assertThrows(ProtocolFileException.class, () -> IjbsProtocolReader.read(dir));
        assertTrue(e.getMessage().contains("is not a still image"), e.getMessage());
    }

    @Test
    void unknownSubjectIsRefused() throws IOException {
        TinyIjbs.writeProtocol(dir);
        TinyIjbs.write(
                dir, "galleries/cs6_surveillance_to_single_g2.csv", "T,S,F\n3,3,img/103.jpg\n4,44,img/104.jpg\n");
        ProtocolFileException e = assertThrows(ProtocolFileException.class, () -> IjbsProtocolReader.read(dir));
        assertEquals(3, e.line());
        assertTrue(e.getMessage().contains("unknown subject 44: not in cs6_metadata.csv"), e.getMessage());
    }

    @Test
    void mediaWithoutFramesIsRefused() throws IOException {
        TinyIjbs.writeProtocol(dir);
        TinyIjbs.write(dir, "cs6_surveillance_to_surveillance_probe.csv", "FILENAME\nvideos/10.mp4\nvideos/77.mp4\n");
        ProtocolFileException e = assertThrows(ProtocolFileException.class, () -> IjbsProtocolReader.read(dir));
        assertTrue(
                e.getMessage()
                        .contains("cs6_surveillance_to_surveillance_probe.csv:3: media without frames: video "
                                + "'videos/77.mp4' has no rows in cs6_metadata.csv"),
                e.getMessage());

        TinyIjbs.writeProtocol(dir);
        // Subject 2 exists, but has no rows in video 30.
        TinyIjbs.write(dir, "galleries/cs6_surveillance_to_surveillance_g2.csv", "T,S,F\n2,2,videos/30.mp4\n");
        e = assertThrows(ProtocolFileException.class, () -> IjbsProtocolReader.read(dir));
        assertTrue(
                e.getMessage().contains("media without frames: subject 2 has no rows for video 'videos/30.mp4'"),
                e.getMessage());
    }

    @Test
    void aSubjectEnrolledInBothGalleriesIsRefused() throws IOException {
        TinyIjbs.writeProtocol(dir);
        TinyIjbs.write(dir, "galleries/cs6_surveillance_to_single_g2.csv", "T,S,F\n3,3,img/103.jpg\n1,1,img/111.jpg\n");
        ProtocolFileException e = assertThrows(ProtocolFileException.class, () -> IjbsProtocolReader.read(dir));
        assertTrue(
                e.getMessage().contains("subject 1 is already enrolled at cs6_surveillance_to_single_g1.csv:2"),
                e.getMessage());
    }

    @Test
    void badMetadataAndProbeRows() throws IOException {
        TinyIjbs.writeProtocol(dir);
        TinyIjbs.write(dir, "cs6_metadata.csv", "SUBJECT_ID,FILENAME\n1,videos/10.mp4\n1,frames/10.png\n");
        ProtocolFileException e = assertThrows(ProtocolFileException.class, () -> IjbsProtocolReader.read(dir));
        assertTrue(e.getMessage().contains("cs6_metadata.csv:3: media 'frames/10.png' is neither"), e.getMessage());

        TinyIjbs.write(dir, "cs6_metadata.csv", "SUBJECT_ID,FILENAME\n1,videos/1_0.mp4\n");
        e = assertThrows(ProtocolFileException.class, () -> IjbsProtocolReader.read(dir));
        assertTrue(e.getMessage().contains("video id '1_0' must be non-empty and contain neither '_'"), e.getMessage());

        TinyIjbs.writeProtocol(dir);
        TinyIjbs.write(dir, "cs6_surveillance_to_single-booking_probe.csv", "FILENAME\nvideos/10.mp4,extra\n");
        e = assertThrows(ProtocolFileException.class, () -> IjbsProtocolReader.read(dir));
        assertTrue(e.getMessage().contains(":2: expected one video file name per line"), e.getMessage());

        TinyIjbs.write(dir, "cs6_surveillance_to_single-booking_probe.csv", "FILENAME\n");
        e = assertThrows(ProtocolFileException.class, () -> IjbsProtocolReader.read(dir));
        assertTrue(e.getMessage().contains("lists no probe videos"), e.getMessage());
    }

    private static Template video(int subject, String video) {
        return Template.of(subject, new Media.Video(video));
    }
}
