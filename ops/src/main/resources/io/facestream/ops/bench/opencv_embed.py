#!/usr/bin/env python3
# Copyright the facestream authors. Licensed under the Apache License, Version 2.0.
"""Peer engine of `facestream bench embed`: OpenCV's DNN module running the same ONNX embedder file on the same
input tensor that the ONNX Runtime rows are fed, timed inside this process so that Python's start-up and the pipe
are not counted.

Protocol, one JSON object per line (the Java side is io.facestream.ops.bench.OpenCvEmbedPeer):
  argv:   MODEL INPUT N D1 D2 D3   INPUT holds N*D1*D2*D3 little-endian float32 values: N faces, already packed
                                   (layout, colour order, mean/std) exactly as the ONNX Runtime embedder packs them
  stdout: {"ready": true, "engine": "opencv-dnn", "version": "4.x", "faces": N}
  stdin:  {"batch": B, "threads": T, "warmup": W, "runs": R}
  stdout: {"batch": B, "threads": T, "seconds": [R seconds per batch], "embedding0": [the first face's output]}
  stdin closed: exit 0.  Any failure: {"error": "what happened"} on stdout, exit 1.
Batch B uses faces 0..B-1 of INPUT (the Java side writes them in the order its own batches use).
"""
import json
import sys
import time


def reply(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main(argv):
    try:
        import cv2
        import numpy as np
    except ImportError as e:
        reply({"error": "OpenCV for Python is missing (apt-get install -y python3-opencv): %s" % e})
        return 1
    if len(argv) != 7:
        reply({"error": "usage: opencv_embed.py MODEL INPUT N D1 D2 D3"})
        return 1
    model, path = argv[1], argv[2]
    shape = tuple(int(v) for v in argv[3:7])
    data = np.fromfile(path, dtype="<f4")
    if data.size != shape[0] * shape[1] * shape[2] * shape[3]:
        reply({"error": "input %s holds %d floats, shape %s needs %d" % (path, data.size, shape, int(np.prod(shape)))})
        return 1
    faces = data.reshape(shape)
    net = cv2.dnn.readNetFromONNX(model)
    net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
    net.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)
    reply({"ready": True, "engine": "opencv-dnn", "version": cv2.__version__, "faces": shape[0]})
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        req = json.loads(line)
        batch, threads = int(req["batch"]), int(req["threads"])
        warmup, runs = int(req["warmup"]), int(req["runs"])
        if batch < 1 or batch > shape[0] or threads < 1 or warmup < 0 or runs < 1:
            reply({"error": "bad request %s (batch 1..%d, threads >= 1, warmup >= 0, runs >= 1)" % (line, shape[0])})
            return 1
        cv2.setNumThreads(threads)
        blob = np.ascontiguousarray(faces[:batch])
        out = None
        for _ in range(warmup):
            net.setInput(blob)
            out = net.forward()
        seconds = []
        for _ in range(runs):
            t0 = time.perf_counter()
            net.setInput(blob)
            out = net.forward()
            seconds.append(time.perf_counter() - t0)
        reply({"batch": batch, "threads": threads, "seconds": seconds,
               "embedding0": [float(v) for v in out.reshape(batch, -1)[0]]})
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except Exception as e:  # report any failure in the protocol, so the Java side can show it
        reply({"error": "%s: %s" % (type(e).__name__, e)})
        sys.exit(1)
