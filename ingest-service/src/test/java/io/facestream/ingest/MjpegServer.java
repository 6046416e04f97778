package io.facestream.ingest;

import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * A real HTTP MJPEG camera on loopback ({@code multipart/x-mixed-replace}, as IP cameras serve it) that can go away
 * and come back on the same port.
 */
final class MjpegServer implements AutoCloseable {
    private final int fps;
    private final List<Socket> clients = new CopyOnWriteArrayList<>();
    private final AtomicInteger frame = new AtomicInteger();
    private volatile ServerSocket server;
    private int port;

    MjpegServer(int fps) {
        this.fps = fps;
    }

    synchronized void start() throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        port = s.getLocalPort();
        server = s;
        Thread accept = new Thread(() -> acceptLoop(s), "mjpeg-accept");
        accept.setDaemon(true);
        accept.start();
    }

    String url() {
        return "http://127.0.0.1:" + port + "/video.mjpg";
    }

    /** The camera goes away: the listening socket and every open stream are closed. */
    synchronized void stop() throws IOException {
        server.close();
        for (Socket c : clients) {
            c.close();
        }
        clients.clear();
    }

    private void acceptLoop(ServerSocket s) {
        while (!s.isClosed()) {
            try {
                Socket c = s.accept();
                clients.add(c);
                Thread t = new Thread(() -> serve(c), "mjpeg-client");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket c) {
        try (c;
                InputStream in = c.getInputStream();
                OutputStream out = c.getOutputStream()) {
            readRequestHead(in);
            out.write(("HTTP/1.0 200 OK\r\nContent-Type: multipart/x-mixed-replace; boundary=frame\r\n"
                            + "Cache-Control: no-cache\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            while (!c.isClosed()) {
                byte[] jpeg = jpeg(frame.getAndIncrement());
                out.write(("--frame\r\nContent-Type: image/jpeg\r\nContent-Length: " + jpeg.length + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(jpeg);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                Thread.sleep(1000 / fps);
            }
        } catch (IOException | InterruptedException e) {
            // client gone or server stopped
        }
    }

    private static void readRequestHead(InputStream in) throws IOException {
        int state = 0;
        while (state < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("client closed");
            }
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3))
                    ? state + 1
                    : 0;
        }
    }

    private static byte[] jpeg(int i) {
        try (Mat m = TestClips.picture(i, 320, 240);
                BytePointer buf = new BytePointer()) {
            imencode(".jpg", m, buf);
            byte[] out = new byte[(int) buf.limit()];
            buf.get(out);
            return out;
        }
    }

    @Override
    public void close() throws IOException {
        stop();
    }
}
