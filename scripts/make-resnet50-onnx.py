#!/usr/bin/env python3
"""Exports a seeded torchvision ResNet-50 backbone (fc replaced by Identity: the pooled 2048-d
embedding) as ONNX, for bench/embed/resnet.ts (issue #16). No network is needed: the weights are
torchvision's own random initialisation under torch.manual_seed(SEED), so the same torch +
torchvision versions give the same file. ~100 MB: written into the bench work folder, never
committed.

  /usr/bin/python3 scripts/make-resnet50-onnx.py --out DIR [--seed 0] [--opset 13]
    → DIR/resnet50.onnx  (input "image" [N,3,224,224] NCHW, output "embedding" [N,2048], dynamic N)
    → DIR/resnet50.pt    (the same weights as a state_dict: the PyTorch peer loads it, as a user
                          would load a checkpoint, instead of trusting that seeding repeats)

Needs Debian's python3-torch and python3-torchvision (/usr/bin/python3), not the onnx package.
Prints one JSON line (files, seconds, versions) on stdout.
"""
import argparse, json, os, sys, time

import torch
import torchvision


def build(seed):
    torch.manual_seed(seed)
    model = torchvision.models.resnet50(weights=None)
    # The embedding users take from a classification backbone is the pooled 2048-d vector.
    model.fc = torch.nn.Identity()
    return model.eval()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--opset", type=int, default=13)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    onnx_path = os.path.join(a.out, "resnet50.onnx")
    pt_path = os.path.join(a.out, "resnet50.pt")
    t0 = time.perf_counter()
    model = build(a.seed)
    torch.save(model.state_dict(), pt_path + ".tmp")
    with torch.no_grad():
        torch.onnx.export(
            model,
            torch.zeros(1, 3, 224, 224),
            onnx_path + ".tmp",
            input_names=["image"],
            output_names=["embedding"],
            dynamic_axes={"image": {0: "N"}, "embedding": {0: "N"}},
            opset_version=a.opset,
            do_constant_folding=True,
        )
    # Renamed last, so an interrupted export never leaves a truncated file under the real name.
    os.replace(pt_path + ".tmp", pt_path)
    os.replace(onnx_path + ".tmp", onnx_path)
    print(json.dumps({
        "onnx": onnx_path, "stateDict": pt_path, "seed": a.seed, "opset": a.opset,
        "bytes": os.path.getsize(onnx_path), "seconds": time.perf_counter() - t0,
        "torch": torch.__version__, "torchvision": torchvision.__version__,
    }))


if __name__ == "__main__":
    sys.exit(main())
