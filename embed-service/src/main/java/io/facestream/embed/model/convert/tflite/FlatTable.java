package io.facestream.embed.model.convert.tflite;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * One table of a FlatBuffer, read in place. FlatBuffers are little-endian; a table starts with a signed offset back to
 * its vtable, whose entries give each field's offset inside the table (0 = absent, so the schema default applies).
 * Only what the TFLite schema needs is here: scalars, strings, tables, and vectors of ints, bytes and tables.
 * Out-of-range offsets surface as {@link IndexOutOfBoundsException}, which the reader turns into a clear error.
 */
public final class FlatTable {
    private final ByteBuffer bb;
    private final int pos;

    private FlatTable(ByteBuffer bb, int pos) {
        this.bb = bb;
        this.pos = pos;
    }

    /** The root table of a buffer (its first four bytes point at it). */
    public static FlatTable root(ByteBuffer buffer) {
        ByteBuffer bb = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        return new FlatTable(bb, bb.getInt(0));
    }

    private int fieldOffset(int field) {
        int vtable = pos - bb.getInt(pos);
        int vtableLength = Short.toUnsignedInt(bb.getShort(vtable));
        int entry = 4 + 2 * field;
        return entry < vtableLength ? Short.toUnsignedInt(bb.getShort(vtable + entry)) : 0;
    }

    public boolean has(int field) {
        return fieldOffset(field) != 0;
    }

    public int getInt(int field, int defaultValue) {
        int o = fieldOffset(field);
        return o == 0 ? defaultValue : bb.getInt(pos + o);
    }

    public long getLong(int field, long defaultValue) {
        int o = fieldOffset(field);
        return o == 0 ? defaultValue : bb.getLong(pos + o);
    }

    public float getFloat(int field, float defaultValue) {
        int o = fieldOffset(field);
        return o == 0 ? defaultValue : bb.getFloat(pos + o);
    }

    /** A byte-sized field (enums, bools); signed like the schema's {@code byte}, use & 0xff for {@code ubyte}. */
    public int getByte(int field, int defaultValue) {
        int o = fieldOffset(field);
        return o == 0 ? defaultValue : bb.get(pos + o);
    }

    public boolean getBool(int field) {
        return getByte(field, 0) != 0;
    }

    /** The table a field points at, or null when the field is absent. */
    public FlatTable table(int field) {
        int o = fieldOffset(field);
        if (o == 0) {
            return null;
        }
        int at = pos + o;
        return new FlatTable(bb, at + bb.getInt(at));
    }

    public String string(int field) {
        ByteBuffer bytes = bytes(field);
        if (bytes == null) {
            return null;
        }
        byte[] out = new byte[bytes.remaining()];
        bytes.get(out);
        return new String(out, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Start of a vector's elements (after its length), or -1 when the field is absent. */
    private int vector(int field) {
        int o = fieldOffset(field);
        if (o == 0) {
            return -1;
        }
        int at = pos + o;
        return at + bb.getInt(at) + 4;
    }

    public int vectorLength(int field) {
        int start = vector(field);
        return start < 0 ? 0 : bb.getInt(start - 4);
    }

    public int[] ints(int field) {
        int start = vector(field);
        if (start < 0) {
            return new int[0];
        }
        int[] out = new int[bb.getInt(start - 4)];
        for (int i = 0; i < out.length; i++) {
            out[i] = bb.getInt(start + 4 * i);
        }
        return out;
    }

    /** A byte vector as a little-endian view (no copy), or null when absent. */
    public ByteBuffer bytes(int field) {
        int start = vector(field);
        if (start < 0) {
            return null;
        }
        int length = bb.getInt(start - 4);
        return bb.slice(start, length).order(ByteOrder.LITTLE_ENDIAN);
    }

    public List<FlatTable> tables(int field) {
        int start = vector(field);
        if (start < 0) {
            return List.of();
        }
        int n = bb.getInt(start - 4);
        List<FlatTable> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int at = start + 4 * i;
            out.add(new FlatTable(bb, at + bb.getInt(at)));
        }
        return out;
    }

    /** The whole underlying buffer, for TFLite buffers stored outside the FlatBuffer (offset/size). */
    ByteBuffer file() {
        return bb;
    }
}
