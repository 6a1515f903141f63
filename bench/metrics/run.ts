// bench/metrics: Fashion-MNIST leave-one-out retrieval metrics, ours against PyTorch brute force
// (and faiss when importable) in the same run, plus the full 70,000-item run's time and peak RSS.
// Prints one JSON object on stdout; progress notes on stderr.
//
//   node --import tsx bench/metrics/run.ts            10k test split vs peers + all 70k
//   node --import tsx bench/metrics/run.ts --quick    2,000-item subset vs peers, no 70k run
//
// Embeddings: a 64-d PCA of the pixels (fitted on the training split), made once by peer.py into
// $TMPDIR/embedding-lens-bench-metrics. Each side is timed inside its own process from loaded
// arrays to final numbers, so interpreter start-up is not counted on either side.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNpy, writeNpy } from '../../src/core/io/npy';

const here = __dirname;
const quick = process.argv.includes('--quick');
const python = process.env.LENS_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
const dir = join(tmpdir(), 'embedding-lens-bench-metrics');
const KEYS = ['recall@1', 'recall@2', 'recall@4', 'recall@8', 'r_precision', 'map@r'];

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return r.stdout;
}

function ours(e: string, l: string): { seconds: number; cpuSeconds: number; peakRssMB: number; metrics: Record<string, number> } {
  return JSON.parse(run(process.execPath, ['--import', 'tsx', join(here, 'loo.ts'), e, l]));
}

async function main(): Promise<void> {
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(dir, 'fmnist-all-labels.npy'))) {
    process.stderr.write('preparing Fashion-MNIST PCA-64 embeddings…\n');
    run(python, [join(here, 'peer.py'), 'prepare', dir]);
  }
  let e = join(dir, 'fmnist-test.npy');
  let l = join(dir, 'fmnist-test-labels.npy');
  if (quick) {
    const x = await readNpy(e);
    const y = await readNpy(l);
    const n = 2000;
    e = join(dir, 'quick.npy');
    l = join(dir, 'quick-labels.npy');
    await writeNpy(e, (x.data as Float32Array).slice(0, n * 64), [n, 64]);
    await writeNpy(l, (y.data as Int32Array).slice(0, n), [n]);
  }
  const load = { before: loadavg()[0] };
  process.stderr.write('ours…\n');
  const a = ours(e, l);
  process.stderr.write('peers (PyTorch, faiss)…\n');
  const peers = JSON.parse(run(python, [join(here, 'peer.py'), 'metrics', e, l])) as Record<string, Record<string, number | string>>;
  const compare = (p: Record<string, number | string>) =>
    'skipped' in p ? null : Math.max(...KEYS.map((k) => Math.abs(a.metrics[k] - (p[k] as number))));
  const torchDiff = compare(peers.torch);
  const faissDiff = compare(peers.faiss);
  const result: Record<string, unknown> = {
    bench: 'metrics',
    dataset: quick ? 'Fashion-MNIST test split, first 2,000 items, PCA-64' : 'Fashion-MNIST test split (10,000 items), PCA-64',
    protocol: 'leave-one-out, L2-normalised',
    machine: { cores: cpus().length, loadavg1: load.before },
    ours: {
      seconds: a.seconds,
      cpuSeconds: a.cpuSeconds,
      peakRssMB: a.peakRssMB,
      ...Object.fromEntries(KEYS.map((k) => [k, a.metrics[k]])),
    },
    torch: peers.torch,
    faiss: peers.faiss,
    maxAbsDiff: { torch: torchDiff, faiss: faissDiff },
    identicalTo1e4: torchDiff !== null && torchDiff <= 1e-4 && (faissDiff === null || faissDiff <= 1e-4),
    timeRatio: {
      torch: a.seconds / (peers.torch.seconds as number),
      faiss: 'skipped' in peers.faiss ? null : a.seconds / (peers.faiss.seconds as number),
    },
    cpuTimeRatio: {
      torch: a.cpuSeconds / (peers.torch.cpuSeconds as number),
      faiss: 'skipped' in peers.faiss ? null : a.cpuSeconds / (peers.faiss.cpuSeconds as number),
    },
  };
  if (!quick) {
    process.stderr.write('ours, all 70,000 items…\n');
    const full = ours(join(dir, 'fmnist-all.npy'), join(dir, 'fmnist-all-labels.npy'));
    result.full70k = {
      seconds: full.seconds,
      cpuSeconds: full.cpuSeconds,
      peakRssMB: full.peakRssMB,
      under60s: full.seconds < 60,
      under2GB: full.peakRssMB < 2048,
      ...Object.fromEntries(KEYS.map((k) => [k, full.metrics[k]])),
    };
  }
  (result.machine as Record<string, number>).loadavg1After = loadavg()[0];
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
