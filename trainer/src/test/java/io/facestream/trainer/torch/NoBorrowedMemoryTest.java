package io.facestream.trainer.torch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Pins the rule of {@link Owned} on the compiled trainer: no class but {@code Owned} calls {@code NDManager.create}
 * (borrowed Java memory), and nothing calls an {@code NDArray} operator with a Java number ({@code mul(3f)},
 * {@code maximum(0)}: a borrowed scalar that autograd may keep). {@code clip(Number, Number)} passes its bounds to
 * PyTorch by value and is allowed.
 */
class NoBorrowedMemoryTest {

    @Test
    void onlyOwnedTurnsJavaValuesIntoArrays() throws Exception {
        Path classes = Path.of(
                Owned.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> found = new ArrayList<>();
        int scanned = 0;
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                scanned++;
                String name = classes.relativize(f).toString().replace(".class", "");
                try (InputStream in = Files.newInputStream(f)) {
                    for (String[] ref : methodRefs(in)) {
                        boolean numberOperand = ref[0].equals("ai/djl/ndarray/NDArray")
                                && ref[2].startsWith("(Ljava/lang/Number;")
                                && !ref[1].equals("clip");
                        boolean borrowed = ref[0].equals("ai/djl/ndarray/NDManager")
                                && ref[1].equals("create")
                                && !name.equals("io/facestream/trainer/torch/Owned");
                        if (numberOperand || borrowed) {
                            found.add(name + " calls " + ref[0] + "." + ref[1] + ref[2]);
                        }
                    }
                }
            }
        }
        assertTrue(scanned > 50, "scanned only " + scanned + " classes under " + classes);
        assertEquals(List.of(), found, "use io.facestream.trainer.torch.Owned instead");
    }

    /** The method references of a class file's constant pool, as {class, name, descriptor}. */
    static List<String[]> methodRefs(InputStream raw) throws IOException {
        DataInputStream in = new DataInputStream(raw);
        if (in.readInt() != 0xCAFEBABE) {
            throw new IOException("not a class file");
        }
        in.readUnsignedShort();
        in.readUnsignedShort();
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        int[] classIndex = new int[count];
        int[][] pair = new int[count][];
        List<Integer> methods = new ArrayList<>();
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> utf8[i] = in.readUTF();
                case 7, 8, 16, 19, 20 -> classIndex[i] = in.readUnsignedShort();
                case 15 -> {
                    in.readUnsignedByte();
                    in.readUnsignedShort();
                }
                case 3, 4 -> in.readInt();
                case 5, 6 -> {
                    in.readLong();
                    i++;
                }
                case 9, 10, 11, 12, 17, 18 -> {
                    pair[i] = new int[] {in.readUnsignedShort(), in.readUnsignedShort()};
                    if (tag == 10 || tag == 11) {
                        methods.add(i);
                    }
                }
                default -> throw new IOException("constant pool tag " + tag);
            }
        }
        List<String[]> out = new ArrayList<>();
        for (int m : methods) {
            int[] nameAndType = pair[pair[m][1]];
            out.add(new String[] {utf8[classIndex[pair[m][0]]], utf8[nameAndType[0]], utf8[nameAndType[1]]});
        }
        return out;
    }
}
