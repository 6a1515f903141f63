"""PyTorch CPU peer for bench/embed: the same bench-cnn weights, the same images, the usual
PyTorch input pipelines — numpy from the IDX file, and PIL + Dataset + DataLoader over a PNG
folder. Prints one JSON object on stdout."""
import argparse, gzip, json, os, sys, time

T_IMPORT = time.perf_counter()
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

IMPORT_SECONDS = time.perf_counter() - T_IMPORT


class BenchCnn(nn.Module):
    """Mirrors scripts/make-fixture-onnx.mjs 'bench-cnn' from its weights index."""

    def __init__(self, index, blob):
        super().__init__()
        self.ops = []
        self.params = nn.ParameterDict()
        tensors = {t["name"]: t for t in index["tensors"]}

        def take(name):
            t = tensors[name]
            n = int(np.prod(t["shape"]))
            return nn.Parameter(torch.from_numpy(blob[t["offset"]: t["offset"] + n].reshape(t["shape"]).copy()), requires_grad=False)

        for i, layer in enumerate(index["layers"]):
            op = layer["op"]
            if op == "conv":
                self.params[f"c{i}w"] = take(f"conv{i}.weight")
                self.params[f"c{i}b"] = take(f"conv{i}.bias")
            elif op == "gemm":
                self.params[f"f{i}w"] = take(f"fc{i}.weight")
                self.params[f"f{i}b"] = take(f"fc{i}.bias")
            self.ops.append((i, op))

    def forward(self, x):
        for i, op in self.ops:
            if op == "conv":
                x = F.conv2d(x, self.params[f"c{i}w"], self.params[f"c{i}b"], padding=1)
            elif op == "relu":
                x = F.relu(x)
            elif op == "maxpool":
                x = F.max_pool2d(x, 2)
            elif op == "gap":
                x = F.adaptive_avg_pool2d(x, 1)
            elif op == "flatten":
                x = torch.flatten(x, 1)
            elif op == "gemm":
                x = F.linear(x, self.params[f"f{i}w"], self.params[f"f{i}b"])
        return x


class PngFolder(torch.utils.data.Dataset):
    """ImageFolder's behaviour (sorted class folders, PIL decode) without torchvision."""

    def __init__(self, root):
        self.items = []
        classes = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))
        for c, name in enumerate(classes):
            for dirpath, _, files in sorted(os.walk(os.path.join(root, name))):
                for f in sorted(files):
                    if f.lower().endswith(".png"):
                        self.items.append((os.path.join(dirpath, f), c))

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        path, label = self.items[i]
        with Image.open(path) as im:
            a = np.asarray(im.convert("L"), dtype=np.float32) / 255.0
        return torch.from_numpy(a).unsqueeze(0), label


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", required=True)
    ap.add_argument("--idx", required=True)
    ap.add_argument("--png", required=True)
    ap.add_argument("--n", type=int, required=True)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--workers", type=int, default=os.cpu_count())
    ap.add_argument("--emb-out", required=True)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)

    t0 = time.perf_counter()
    index = json.load(open(a.weights))
    blob = np.fromfile(a.weights.replace(".weights.json", ".weights.bin"), dtype="<f4")
    model = BenchCnn(index, blob).eval()
    load_s = time.perf_counter() - t0

    # IDX: the usual numpy route (gunzip, frombuffer, scale) then batched inference.
    t0 = time.perf_counter()
    raw = gzip.open(a.idx).read() if a.idx.endswith(".gz") else open(a.idx, "rb").read()
    count, rows, cols = np.frombuffer(raw[4:16], dtype=">u4")
    images = np.frombuffer(raw[16:], dtype=np.uint8)[: a.n * rows * cols].reshape(a.n, 1, rows, cols)
    out = np.empty((a.n, 64), dtype=np.float32)
    with torch.inference_mode():
        for s in range(0, a.n, a.batch):
            x = torch.from_numpy(images[s: s + a.batch].astype(np.float32) / 255.0)
            out[s: s + a.batch] = model(x).numpy()
    idx_s = time.perf_counter() - t0
    out.tofile(a.emb_out)

    # PNG folder: PIL decode in DataLoader workers, as a training script would.
    ds = PngFolder(a.png)
    t0 = time.perf_counter()
    loader = torch.utils.data.DataLoader(ds, batch_size=a.batch, shuffle=False, num_workers=a.workers)
    seen = 0
    with torch.inference_mode():
        for x, _ in loader:
            model(x)
            seen += x.shape[0]
    png_s = time.perf_counter() - t0

    print(json.dumps({
        "torch": torch.__version__,
        "threads": a.threads,
        "dataloaderWorkers": a.workers,
        "importSeconds": IMPORT_SECONDS,
        "modelLoadSeconds": load_s,
        "idx": {"images": a.n, "seconds": idx_s, "imagesPerSecond": a.n / idx_s},
        "png": {"images": seen, "seconds": png_s, "imagesPerSecond": seen / png_s},
    }))


if __name__ == "__main__":
    sys.exit(main())
