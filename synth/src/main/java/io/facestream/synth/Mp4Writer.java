package io.facestream.synth;

import java.nio.file.Path;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.FrameRecorder;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * H.264 (libx264, from the GPL FFmpeg build) in MP4, yuv420p, constant quality: what a camera archive holds.
 *
 * <p>x264's macroblock tree is off: with it on, the encoded bytes of one input depended on what the process's heap
 * held before (same frames in, different video out once other native code had run; reproduced by running under
 * {@code MALLOC_PERTURB_=1} vs {@code =200}), so a seed did not reproduce its data set. Camera encoders do not use
 * it either.
 */
public final class Mp4Writer implements AutoCloseable {
    private final FFmpegFrameRecorder recorder;
    private final OpenCVFrameConverter.ToMat converter = new OpenCVFrameConverter.ToMat();
    private final Path path;

    static {
        // libx264 prints a statistics block per file; only errors are worth showing on the console.
        avutil.av_log_set_level(avutil.AV_LOG_ERROR);
    }

    public Mp4Writer(Path path, int width, int height, double fps, int crf) {
        this.path = path;
        recorder = new FFmpegFrameRecorder(path.toFile(), width, height);
        recorder.setFormat("mp4");
        recorder.setVideoCodec(avcodec.AV_CODEC_ID_H264);
        recorder.setVideoCodecName("libx264");
        recorder.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
        recorder.setFrameRate(fps);
        recorder.setGopSize((int) Math.round(fps * 2));
        recorder.setVideoOption("preset", "veryfast");
        recorder.setVideoOption("crf", Integer.toString(crf));
        recorder.setVideoOption("x264-params", "mbtree=0");
        try {
            recorder.start();
        } catch (FrameRecorder.Exception e) {
            throw new IllegalStateException("cannot start libx264 recording of " + path + ": " + e.getMessage(), e);
        }
    }

    public void write(Mat bgr) {
        try {
            recorder.record(converter.convert(bgr), avutil.AV_PIX_FMT_BGR24);
        } catch (FrameRecorder.Exception e) {
            throw new IllegalStateException("cannot encode a frame of " + path + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            recorder.stop();
            recorder.release();
        } catch (FrameRecorder.Exception e) {
            throw new IllegalStateException("cannot finish " + path + ": " + e.getMessage(), e);
        }
    }
}
