"""PyTorch CPU peer of bench/finetune: the same small CNN and the same EET loss (SPEC.md §1),
batch P×K from Fashion-MNIST, Adam. Prints one JSON object with steps/s for end-to-end training
and for a head-only Linear(64, 64) on cached features. Run by bench/finetune/run.ts."""
import argparse, gzip, json, time
import numpy as np
import torch
import torch.nn as nn


def read_idx(path):
    with gzip.open(path, 'rb') as f:
        data = f.read()
    rank = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], 'big') for i in range(rank)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def eet_loss(emb, y, margin=0.3, weights=(1.0, 1.0, 1.0), normalize=True):
    f = emb / emb.norm(dim=1, keepdim=True) if normalize else emb
    sq = (f * f).sum(1)
    d = (sq[:, None] + sq[None, :] - 2 * f @ f.t()).clamp_min(1e-12).sqrt()
    b = y.shape[0]
    eye = torch.eye(b, dtype=torch.bool)
    same = y[:, None] == y[None, :]
    pos = same & ~eye
    neg = ~same
    with torch.no_grad():
        dd = d.detach()
        anchors = (pos.any(1) & neg.any(1)).nonzero().flatten()
        p = dd.masked_fill(~pos, float('-inf')).argmax(1)[anchors]
        n = dd.masked_fill(~neg, float('inf')).argmin(1)[anchors]
    dap, dan, dpn = d[anchors, p], d[anchors, n], d[p, n]
    mc = torch.relu(dap - dan + margin).mean()
    ec = (dan - dpn).abs().mean()
    classes = torch.unique(y)
    m = classes.shape[0]
    onehot = (y[None, :] == classes[:, None])  # M×B
    block = onehot[:, None, :, None] & onehot[None, :, None, :]  # M×M×B×B
    big = d[None, None].expand(m, m, b, b).masked_fill(~block, float('inf'))
    cd = big.reshape(m, m, -1).min(-1).values  # D(c, c')
    off = ~torch.eye(m, dtype=torch.bool)
    l_m = torch.exp(-cd[off]).sum() / (m * (m - 1))
    with torch.no_grad():
        masked = cd.detach().masked_fill(~off, float('inf'))
        nc = masked.argmin(1)
        nnc = masked[nc].argmin(1)
    l_e = (cd[torch.arange(m), nc] - cd[nc, nnc]).abs().mean()
    edc = l_m + l_e
    return weights[0] * mc + weights[1] * ec + weights[2] * edc


def cnn():
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        nn.Linear(64, 64))


def pk_batch(by_class, rng, p, k):
    cls = rng.choice(len(by_class), size=p, replace=False)
    return np.concatenate([rng.choice(by_class[c], size=k, replace=False) for c in cls])


def timed_steps(model, x, y, by_class, p, k, steps, warmup, seed):
    rng = np.random.default_rng(seed)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    t0 = c0 = None
    for i in range(warmup + steps):
        if i == warmup:
            t0 = time.perf_counter()
            c0 = time.process_time()
        rows = pk_batch(by_class, rng, p, k)
        loss = eet_loss(model(x[rows]), y[rows])
        opt.zero_grad()
        loss.backward()
        opt.step()
    return steps / (time.perf_counter() - t0), steps / (time.process_time() - c0), float(loss)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', required=True)
    ap.add_argument('--steps', type=int, default=100)
    ap.add_argument('--head-steps', type=int, default=500)
    ap.add_argument('--pk', default='8,8')
    ap.add_argument('--threads', type=int, default=0)
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    p, k = map(int, a.pk.split(','))
    imgs = read_idx(f'{a.data}/train-images-idx3-ubyte.gz')
    labels = read_idx(f'{a.data}/train-labels-idx1-ubyte.gz')
    x = torch.from_numpy(imgs.astype(np.float32) / 255.0).reshape(-1, 1, 28, 28)
    y = torch.from_numpy(labels.astype(np.int64))
    by_class = [np.nonzero(labels == c)[0] for c in range(10)]
    model = cnn()
    e2e, e2e_cpu, e2e_loss = timed_steps(model, x, y, by_class, p, k, a.steps, 5, 1)
    with torch.no_grad():
        feats = torch.cat([model(x[i:i + 1000]) for i in range(0, 10000, 1000)])
    head = nn.Linear(64, 64)
    head_by_class = [np.nonzero(labels[:10000] == c)[0] for c in range(10)]
    hs, hs_cpu, _ = timed_steps(head, feats, y[:10000], head_by_class, p, k, a.head_steps, 5, 2)
    print(json.dumps({
        'torch': torch.__version__, 'threads': torch.get_num_threads(),
        'e2e_steps_per_s': e2e, 'e2e_steps_per_cpu_s': e2e_cpu, 'e2e_steps': a.steps, 'e2e_last_loss': e2e_loss,
        'head_steps_per_s': hs, 'head_steps_per_cpu_s': hs_cpu, 'head_steps': a.head_steps,
    }))


if __name__ == '__main__':
    main()
