package io.facestream.ingest.publish;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * libjpeg-turbo's TurboJPEG library (Debian's {@code libturbojpeg0}), called through the JDK's foreign function API:
 * JPEG straight from a decoder's Y, U and V planes. Encoding from the planes skips two passes the BGR route makes over
 * every pixel (I420 to BGR before the encoder, BGR back to YCbCr inside it), and 4:2:0 chroma goes in as it is.
 *
 * <p>The 2.x API ({@code tjInitCompress}, {@code tjCompressFromYUVPlanes}), which every libturbojpeg from 1.4 on
 * exports. A compressor handle is made and destroyed per frame: it is not thread-safe, creating one costs microseconds
 * against the milliseconds of an encode, and nothing is left behind when an encoder thread ends.
 */
final class TurboJpeg {
    /** The soname Debian and Ubuntu install ({@code libturbojpeg0} / {@code libturbojpeg}). */
    static final String LIBRARY = "libturbojpeg.so.0";

    private static final int TJSAMP_420 = 2;

    private final MethodHandle init;
    private final MethodHandle compressFromPlanes;
    private final MethodHandle free;
    private final MethodHandle destroy;
    private final MethodHandle errorText;

    private TurboJpeg(SymbolLookup lib) {
        Linker linker = Linker.nativeLinker();
        init = linker.downcallHandle(find(lib, "tjInitCompress"), FunctionDescriptor.of(ADDRESS));
        compressFromPlanes = linker.downcallHandle(
                find(lib, "tjCompressFromYUVPlanes"),
                FunctionDescriptor.of(
                        JAVA_INT, // 0 or -1
                        ADDRESS, // tjhandle
                        ADDRESS, // const unsigned char **srcPlanes
                        JAVA_INT, // width
                        ADDRESS, // const int *strides
                        JAVA_INT, // height
                        JAVA_INT, // subsamp
                        ADDRESS, // unsigned char **jpegBuf
                        ADDRESS, // unsigned long *jpegSize
                        JAVA_INT, // jpegQual
                        JAVA_INT)); // flags
        free = linker.downcallHandle(find(lib, "tjFree"), FunctionDescriptor.ofVoid(ADDRESS));
        destroy = linker.downcallHandle(find(lib, "tjDestroy"), FunctionDescriptor.of(JAVA_INT, ADDRESS));
        errorText = linker.downcallHandle(find(lib, "tjGetErrorStr2"), FunctionDescriptor.of(ADDRESS, ADDRESS));
    }

    /**
     * Loads the library and its functions once for the process.
     *
     * @throws IllegalStateException naming what is missing and how to install it
     */
    static TurboJpeg load(String library) {
        SymbolLookup lib;
        try {
            lib = SymbolLookup.libraryLookup(library, Arena.global());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(
                    library + " cannot be loaded (" + e.getMessage() + "): install libjpeg-turbo's TurboJPEG library"
                            + " (Debian: apt-get install libturbojpeg0; Ubuntu: libturbojpeg)");
        }
        return new TurboJpeg(lib);
    }

    private static MemorySegment find(SymbolLookup lib, String name) {
        return lib.find(name)
                .orElseThrow(() -> new IllegalStateException(LIBRARY + " has no " + name
                        + ": it is older than libjpeg-turbo 1.4; install a newer libturbojpeg"));
    }

    /**
     * JPEG of an I420 picture laid out as one block: {@code width*height} bytes of Y, then U and V at half the width
     * and half the height, rows unpadded. The planes must hold full-range (JPEG) levels.
     *
     * @param address the first byte of the Y plane; width and height even
     */
    byte[] encodeI420(long address, int width, int height, int quality) {
        if (width <= 0 || height <= 0 || width % 2 != 0 || height % 2 != 0) {
            throw new IllegalArgumentException("I420 needs an even width and height, not " + width + "x" + height);
        }
        long ySize = (long) width * height;
        long cSize = (long) (width / 2) * (height / 2);
        try (Arena call = Arena.ofConfined()) {
            MemorySegment planes = call.allocate(ADDRESS, 3);
            planes.setAtIndex(ADDRESS, 0, MemorySegment.ofAddress(address));
            planes.setAtIndex(ADDRESS, 1, MemorySegment.ofAddress(address + ySize));
            planes.setAtIndex(ADDRESS, 2, MemorySegment.ofAddress(address + ySize + cSize));
            MemorySegment strides = call.allocateFrom(JAVA_INT, width, width / 2, width / 2);
            // a null buffer of size 0: the library allocates one that fits, released with tjFree below
            MemorySegment buffer = call.allocate(ADDRESS);
            buffer.set(ADDRESS, 0, MemorySegment.NULL);
            MemorySegment size = call.allocate(JAVA_LONG);
            size.set(JAVA_LONG, 0, 0L);
            MemorySegment handle = (MemorySegment) init.invokeExact();
            if (handle.equals(MemorySegment.NULL)) {
                throw new IllegalStateException("tjInitCompress failed (out of memory?)");
            }
            try {
                int rc = (int) compressFromPlanes.invokeExact(
                        handle, planes, width, strides, height, TJSAMP_420, buffer, size, quality, 0);
                MemorySegment jpeg = buffer.get(ADDRESS, 0);
                try {
                    if (rc != 0) {
                        throw new IllegalStateException("TurboJPEG could not encode a " + width + "x" + height
                                + " I420 picture: " + error(handle));
                    }
                    return jpeg.reinterpret(size.get(JAVA_LONG, 0)).toArray(JAVA_BYTE);
                } finally {
                    if (!jpeg.equals(MemorySegment.NULL)) {
                        free.invokeExact(jpeg);
                    }
                }
            } finally {
                int ignored = (int) destroy.invokeExact(handle);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("calling " + LIBRARY + " failed", t);
        }
    }

    private String error(MemorySegment handle) throws Throwable {
        MemorySegment text = (MemorySegment) errorText.invokeExact(handle);
        return text.equals(MemorySegment.NULL)
                ? "no message"
                : text.reinterpret(Integer.MAX_VALUE).getString(0);
    }
}
