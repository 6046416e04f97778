#!/usr/bin/env python3
# Copyright the facestream authors. Licensed under the Apache License, Version 2.0.
"""Peer engine of `facestream bench cameras`: OpenCV's DNN module running the same BlazeFace ONNX file as the ONNX
Runtime rows, with the same pre- and post-processing as io.facestream.embed.detect.blazeface.BlazeFaceDetector, on the
same decoded frames; each frame's detection is timed inside this process (CPU time of this thread and wall clock), so
Python's start-up, the frame file and the pipe are not counted.

What "the same" means, step by step (BlazeFaceDetector and BlazeFaceDecoder are the reference):
  1. the whole frame, and with tile > 0 and a frame side above tile also square tiles of that side (starts evenly
     spaced, neighbours sharing >= tile_overlap, the first at 0 and the last flush with the edge, rounded half up),
     the tiles in row-major order after the whole frame;
  2. each image letterboxed to a square (black bars, the odd pixel on the bottom/right), resized to the model's input
     with INTER_AREA when shrinking, INTER_LINEAR otherwise, channels in the model's colour order, (v - mean) / std
     in float32, in the model's tensor layout (NHWC or NCHW);
  3. each head pair ([1, n, 1] logits and [1, n, 16] regressors, found by shape) decoded against anchor centres
     ((x + 0.5) / cells, (y + 0.5) / cells) per feature map: score = sigmoid(logit clipped to +-100), kept when
     score >= min_score; centre, size and keypoints in input pixels relative to the anchor; mapped to frame pixels;
  4. one weighted NMS over all images' detections: by descending score (ties in the order above), the best one and
     every remaining one with IoU >= iou merged into their score-weighted mean box with the best score, at most
     max_faces.

Protocol, one JSON object per line (the Java side is io.facestream.ops.bench.OpenCvDetectPeer):
  argv:   (none)
  stdout: {"ready": true, "engine": "opencv-dnn", "version": "4.x"}
  stdin:  {"model": ONNX, "frames": FILE, "count": N, "width": W, "height": H, "threads": T,
           "input": {"size": S, "layout": "NHWC"|"NCHW", "color_order": "RGB"|"BGR", "mean": [3], "std": [3]},
           "anchors": [[cells, anchors_per_cell], ...] in output order, "min_score": F, "iou": F, "max_faces": K,
           "tile": PX (0 = off), "tile_overlap": F}
          FILE holds N frames of H x W x 3 uint8 BGR, row-major, one after the other, nothing else.
  stdout: {"count": N, "cpu_s": [per frame], "wall_s": [per frame], "forward_cpu_s": [per frame],
           "faces": [[[x1, y1, x2, y2, score], ...] per frame]}
          boxes in frame pixels, by descending score; forward_cpu_s: the part of cpu_s spent in net.forward (setInput
          included), so a reader can tell the engine's share from this script's numpy pre- and post-processing.
  stdin closed: exit 0.  Any failure: {"error": "what happened"} on stdout, exit 1.
Networks are loaded once per model file and kept for the following requests.
"""
import json
import math
import sys
import time


def reply(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def tile_starts(length, tile, overlap, np):
    """Tile start offsets along one axis; the arithmetic in float32 as BlazeFaceDetector.starts does it."""
    if length <= tile:
        return [0]
    stride = np.float32(tile) * (np.float32(1) - np.float32(overlap))
    n = int(math.ceil(np.float32(length - tile) / stride)) + 1
    # Java's Math.round(float) rounds half up: floor(x + 0.5)
    return [int(math.floor(np.float32(i) * np.float32(length - tile) / np.float32(n - 1) + np.float32(0.5)))
            for i in range(n)]


class Detector:
    def __init__(self, cv2, np, net, out_names, req):
        self.cv2, self.np, self.net, self.out_names = cv2, np, net, out_names
        inp = req["input"]
        self.size = int(inp["size"])
        self.layout = inp["layout"].upper()
        if self.layout not in ("NHWC", "NCHW"):
            raise ValueError("input layout %s: this peer packs NHWC or NCHW only" % self.layout)
        self.rgb = inp["color_order"].upper() == "RGB"
        self.mean = np.array(inp["mean"], dtype=np.float32)
        # per network channel: they apply after the flip to the model's colour order, as PixelLayout's tables do
        self.std = np.array(inp["std"], dtype=np.float32)
        self.min_score = np.float32(req["min_score"])
        self.iou = np.float32(req["iou"])
        self.max_faces = int(req["max_faces"])
        self.tile = int(req["tile"])
        self.overlap = float(req["tile_overlap"])
        self.forward_cpu = 0.0
        self.maps = []
        for cells, per_cell in req["anchors"]:
            centres = (np.arange(cells, dtype=np.float32) + np.float32(0.5)) / np.float32(cells)
            # index = (y * cells + x) * per_cell + a
            cx = np.repeat(np.tile(centres, cells), per_cell)
            cy = np.repeat(np.repeat(centres, cells), per_cell)
            self.maps.append((cells * cells * per_cell, cx.astype(np.float32), cy.astype(np.float32)))

    def pack(self, image):
        cv2, np = self.cv2, self.np
        h, w = image.shape[:2]
        side = max(w, h)
        pad_x = (side - w) // 2
        pad_y = (side - h) // 2
        square = cv2.copyMakeBorder(image, pad_y, side - h - pad_y, pad_x, side - w - pad_x, cv2.BORDER_CONSTANT,
                                    value=(0, 0, 0, 0))
        resized = cv2.resize(square, (self.size, self.size),
                             interpolation=cv2.INTER_AREA if side > self.size else cv2.INTER_LINEAR)
        if self.rgb:
            resized = resized[:, :, ::-1]
        x = (resized.astype(np.float32) - self.mean) / self.std
        if self.layout == "NCHW":
            x = x.transpose(2, 0, 1)
        return np.ascontiguousarray(x[np.newaxis]), side, pad_x, pad_y

    def heads(self, outs, n):
        logits = regress = None
        for o in outs:
            if o.ndim == 3 and o.shape[1] == n and o.shape[2] == 1:
                logits = o
            elif o.ndim == 3 and o.shape[1] == n and o.shape[2] == 16:
                regress = o
        if logits is None or regress is None:
            raise ValueError("no [1,%d,1] and [1,%d,16] outputs among %s" % (n, n, [o.shape for o in outs]))
        return logits.reshape(n), regress.reshape(n, 16)

    def run(self, image, x0, y0):
        """Boxes {x1, y1, x2, y2} in frame pixels and scores of one image (the frame or a tile at x0, y0)."""
        np = self.np
        blob, side, pad_x, pad_y = self.pack(image)
        c0 = time.thread_time()
        self.net.setInput(blob)
        outs = self.net.forward(self.out_names)
        self.forward_cpu += time.thread_time() - c0
        size = np.float32(self.size)
        side = np.float32(side)
        off_x = np.float32(pad_x - x0)
        off_y = np.float32(pad_y - y0)
        boxes, scores = [], []
        for n, ax, ay in self.maps:
            logits, r = self.heads(outs, n)
            # sigmoid in double then float, as the Java decoder computes it
            score = (1.0 / (1.0 + np.exp(-np.clip(logits.astype(np.float64), -100.0, 100.0)))).astype(np.float32)
            keep = np.nonzero(score >= self.min_score)[0]
            if keep.size == 0:
                continue
            r = r[keep].astype(np.float32)
            cx = ax[keep] + r[:, 0] / size
            cy = ay[keep] + r[:, 1] / size
            w = r[:, 2] / size
            h = r[:, 3] / size
            half = np.float32(2)
            b = np.stack([cx - w / half, cy - h / half, cx + w / half, cy + h / half], axis=1)
            b = b * side - np.array([off_x, off_y, off_x, off_y], dtype=np.float32)
            boxes.append(b.astype(np.float32))
            scores.append(score[keep])
        return boxes, scores

    def detect(self, frame):
        np = self.np
        h, w = frame.shape[:2]
        boxes, scores = self.run(frame, 0, 0)
        if self.tile > 0 and max(w, h) > self.tile:
            for y in tile_starts(h, self.tile, self.overlap, np):
                for x in tile_starts(w, self.tile, self.overlap, np):
                    b, s = self.run(frame[y:y + min(self.tile, h - y), x:x + min(self.tile, w - x)], x, y)
                    boxes += b
                    scores += s
        if not boxes:
            return []
        return self.weighted_nms(np.concatenate(boxes), np.concatenate(scores))

    def weighted_nms(self, boxes, scores):
        np = self.np
        order = np.argsort(-scores, kind="stable")
        boxes, scores = boxes[order], scores[order]
        areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
        remaining = np.arange(len(scores))
        out = []
        zero = np.float32(0)
        while remaining.size > 0 and len(out) < self.max_faces:
            best = boxes[remaining[0]]
            rb = boxes[remaining]
            iw = np.maximum(zero, np.minimum(best[2], rb[:, 2]) - np.maximum(best[0], rb[:, 0]))
            ih = np.maximum(zero, np.minimum(best[3], rb[:, 3]) - np.maximum(best[1], rb[:, 1]))
            inter = iw * ih
            union = areas[remaining[0]] + areas[remaining] - inter
            iou = np.where(union <= 0, zero, inter / np.where(union <= 0, np.float32(1), union))
            group = iou >= self.iou
            g = remaining[group]
            weights = scores[g]
            box = (boxes[g] * weights[:, None]).sum(axis=0) / weights.sum()
            out.append([float(v) for v in box] + [float(scores[remaining[0]])])
            remaining = remaining[~group]
        return out


def main(argv):
    try:
        import cv2
        import numpy as np
    except ImportError as e:
        reply({"error": "OpenCV for Python is missing (apt-get install -y python3-opencv): %s" % e})
        return 1
    if len(argv) != 1:
        reply({"error": "usage: opencv_detect.py (requests on stdin, see its docstring)"})
        return 1
    nets = {}
    reply({"ready": True, "engine": "opencv-dnn", "version": cv2.__version__})
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        req = json.loads(line)
        model = req["model"]
        if model not in nets:
            net = cv2.dnn.readNetFromONNX(model)
            net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
            net.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)
            nets[model] = (net, net.getUnconnectedOutLayersNames())
        net, out_names = nets[model]
        count, width, height = int(req["count"]), int(req["width"]), int(req["height"])
        threads = int(req["threads"])
        if count < 1 or width < 1 or height < 1 or threads < 1:
            reply({"error": "bad request %s (count, width, height, threads >= 1)" % line})
            return 1
        frames = np.memmap(req["frames"], dtype=np.uint8, mode="r")
        if frames.size != count * height * width * 3:
            reply({"error": "frames %s holds %d bytes, %d frames of %dx%d BGR need %d"
                            % (req["frames"], frames.size, count, width, height, count * height * width * 3)})
            return 1
        frames = frames.reshape(count, height, width, 3)
        cv2.setNumThreads(threads)
        detector = Detector(cv2, np, net, out_names, req)
        cpu, wall, forward, faces = [], [], [], []
        for i in range(count):
            # out of the file before the clock starts: the Java rows' frame is in memory when detection starts too
            frame = np.array(frames[i])
            detector.forward_cpu = 0.0
            c0 = time.thread_time()
            w0 = time.perf_counter()
            found = detector.detect(frame)
            wall.append(time.perf_counter() - w0)
            cpu.append(time.thread_time() - c0)
            forward.append(detector.forward_cpu)
            faces.append(found)
        del frames
        reply({"count": count, "cpu_s": cpu, "wall_s": wall, "forward_cpu_s": forward, "faces": faces})
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except Exception as e:  # report any failure in the protocol, so the Java side can show it
        reply({"error": "%s: %s" % (type(e).__name__, e)})
        sys.exit(1)
