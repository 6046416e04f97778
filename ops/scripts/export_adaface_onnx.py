#!/usr/bin/env python3
# Copyright facestream authors. Licensed under the Apache License, Version 2.0.
"""Export an official AdaFace IR-18/50/101 checkpoint to ONNX for facestream, and write its manifest.json.

Needs PyTorch (and `onnx` for the check) plus a clone of https://github.com/mk-minchul/AdaFace for its `net.py`:

    python ops/scripts/export_adaface_onnx.py --adaface-repo ~/AdaFace --arch ir_50 \
        --checkpoint adaface_ir50_ms1mv2.ckpt --out ~/adaface-ir50
    ./facestream ... (then install the folder, see docs/face-pipeline.md "User models")

What the exported graph expects (the same as AdaFace's own inference.py):
  * input  "input": float32 [N, 3, 112, 112], BGR channel order, value (x/255 - 0.5)/0.5, i.e. mean 127.5 and std
    127.5 per channel, from a 5-point-aligned 112x112 crop;
  * output "feature": float32 [N, 512], the RAW feature before L2 normalisation. AdaFace's backbone returns
    (feature / norm, norm); we export feature * norm so that facestream can compute the norm (its quality signal)
    and the unit vector itself.
--random-init builds the architecture with random weights (no checkpoint) for parity tests of the Java pipeline.
"""
import argparse
import hashlib
import json
import os
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--adaface-repo", required=True, help="clone of mk-minchul/AdaFace (for net.py)")
    ap.add_argument("--arch", required=True, choices=["ir_18", "ir_34", "ir_50", "ir_101"])
    ap.add_argument("--checkpoint", help="Lightning .ckpt of that architecture")
    ap.add_argument("--random-init", action="store_true", help="random weights (parity testing only)")
    ap.add_argument("--out", required=True, help="output folder: model.onnx + manifest.json")
    ap.add_argument("--name", help="model name in the store (default adaface-<arch>)")
    ap.add_argument("--version", default="1", help="model version (a new version is a new embedding space)")
    ap.add_argument("--opset", type=int, default=17)
    args = ap.parse_args()
    if not args.checkpoint and not args.random_init:
        ap.error("give --checkpoint, or --random-init for a parity test")

    import torch
    sys.path.insert(0, os.path.abspath(args.adaface_repo))
    import net  # AdaFace's backbone definitions

    model = net.build_model(args.arch)
    source = {"package_name": "user", "package_version": None, "integrity": None, "file": None, "sha256": None}
    if args.checkpoint:
        ckpt = torch.load(args.checkpoint, map_location="cpu", weights_only=False)
        state = {k[len("model."):]: v for k, v in ckpt["state_dict"].items() if k.startswith("model.")}
        model.load_state_dict(state, strict=True)
        source.update(file=os.path.basename(args.checkpoint), sha256=sha256(args.checkpoint))
    else:
        torch.manual_seed(0)
    model.eval()

    class RawFeature(torch.nn.Module):
        """AdaFace returns (unit feature, norm); facestream wants the raw feature = unit * norm."""

        def __init__(self, backbone):
            super().__init__()
            self.backbone = backbone

        def forward(self, x):
            feature, norm = self.backbone(x)
            return feature * norm

    os.makedirs(args.out, exist_ok=True)
    onnx_path = os.path.join(args.out, "model.onnx")
    dummy = torch.zeros(2, 3, 112, 112)
    torch.onnx.export(RawFeature(model), dummy, onnx_path, input_names=["input"], output_names=["feature"],
                      dynamic_axes={"input": {0: "n"}, "feature": {0: "n"}}, opset_version=args.opset,
                      do_constant_folding=True)
    try:
        import onnx
        onnx.checker.check_model(onnx.load(onnx_path))
    except ImportError:
        print("note: `onnx` not installed, skipped onnx.checker", file=sys.stderr)

    name = args.name or "adaface-" + args.arch.replace("_", "")
    manifest = {
        "name": name,
        "version": args.version,
        "kind": "EMBEDDER",
        "files": [{"role": "main", "file": "model.onnx", "sha256": sha256(onnx_path),
                   "inputs": ["input"], "outputs": ["feature"]}],
        "input": {"width": 112, "height": 112, "layout": "NCHW", "color_order": "BGR",
                  "mean": [127.5, 127.5, 127.5], "std": [127.5, 127.5, 127.5]},
        # norm statistics are unknown until measured on your data; quality_threshold 0 lets every face through
        "embedding": {"size": 512, "output": "feature", "unit_length": False,
                      "norm_mean": 0.0, "norm_std": 1.0, "quality_threshold": 0.0},
        "source": source,
        "licence": "AdaFace code MIT; check the licence of the weights and their training data before use",
        "notes": ("AdaFace " + args.arch + (" RANDOM INIT (parity test only)" if args.random_init else "")
                  + ": BGR, (x/255-0.5)/0.5, raw feature before normalisation (norm = AdaFace quality)."),
    }
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
    print("wrote", onnx_path, "and manifest.json")


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


if __name__ == "__main__":
    main()
