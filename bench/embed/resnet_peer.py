"""PyTorch CPU peer for bench/embed/resnet.ts: the usual way to embed a JPEG folder with a
torchvision backbone — ImageFolder (PIL decode) + transforms + DataLoader with one worker per
core, batch 32, torch.no_grad() — on the very weights of the ONNX file (the state_dict
scripts/make-resnet50-onnx.py saved beside it). Timed end to end like ours: `import torch`,
building the model and loading its weights, then every batch. Prints one JSON object on stdout;
the embeddings go to --emb-out (float32 N×2048) and their relative paths to --emb-out.paths.json.

The transform mirrors the embedding-lens.json the bench writes beside the ONNX file:
  crop:    Resize(side) → CenterCrop(side)   (embedding-lens "resize": "crop": short side, centre-crop)
  stretch: Resize((side, side))              (embedding-lens "resize": "stretch")
then ToTensor → Normalize(mean, std), with the resample filter the sidecar names.
"""
import argparse, json, os, sys, time

T0 = time.perf_counter()
import torch
import torchvision
from torchvision import transforms as T

IMPORT_SECONDS = time.perf_counter() - T0

FILTERS = {"bilinear": T.InterpolationMode.BILINEAR, "bicubic": T.InterpolationMode.BICUBIC, "nearest": T.InterpolationMode.NEAREST, "lanczos": T.InterpolationMode.LANCZOS}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--state-dict", required=True)
    ap.add_argument("--images", required=True)
    ap.add_argument("--side", type=int, default=224)
    ap.add_argument("--resize", choices=["crop", "stretch"], default="crop")
    ap.add_argument("--resample", choices=sorted(FILTERS), default="bilinear")
    ap.add_argument("--mean", default="0.485,0.456,0.406")
    ap.add_argument("--std", default="0.229,0.224,0.225")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--workers", type=int, default=os.cpu_count())
    ap.add_argument("--emb-out", required=True)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)

    t0 = time.perf_counter()
    model = torchvision.models.resnet50(weights=None)
    model.fc = torch.nn.Identity()
    model.load_state_dict(torch.load(a.state_dict))
    model.eval()
    build_s = time.perf_counter() - t0

    f = FILTERS[a.resample]
    size = [T.Resize(a.side, interpolation=f), T.CenterCrop(a.side)] if a.resize == "crop" else [T.Resize((a.side, a.side), interpolation=f)]
    tf = T.Compose(size + [T.ToTensor(), T.Normalize([float(v) for v in a.mean.split(",")], [float(v) for v in a.std.split(",")])])
    t0 = time.perf_counter()
    ds = torchvision.datasets.ImageFolder(a.images, transform=tf)
    loader = torch.utils.data.DataLoader(ds, batch_size=a.batch, shuffle=False, num_workers=a.workers)
    chunks = []
    with torch.no_grad():
        for x, _ in loader:
            chunks.append(model(x))
    loop_s = time.perf_counter() - t0

    emb = torch.cat(chunks).numpy()
    emb.tofile(a.emb_out)
    paths = [os.path.relpath(p, a.images) for p, _ in ds.samples]
    with open(a.emb_out + ".paths.json", "w") as fh:
        json.dump(paths, fh)
    n = len(paths)
    total = IMPORT_SECONDS + build_s + loop_s
    print(json.dumps({
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "threads": a.threads,
        "dataloaderWorkers": a.workers,
        "batchSize": a.batch,
        "transform": repr(tf).replace("\n", " "),
        "images": n,
        "dim": int(emb.shape[1]),
        "importSeconds": IMPORT_SECONDS,
        "modelBuildSeconds": build_s,
        "loopSeconds": loop_s,
        "seconds": total,
        "imagesPerSecond": n / total,
        "imagesPerSecondExcludingRuntimeStart": n / loop_s,
    }))


if __name__ == "__main__":
    sys.exit(main())
