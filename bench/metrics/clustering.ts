// bench/metrics/clustering.ts: the NMI/AMI stage (seeded k-means, k = number of classes) on a
// synthetic set shaped like Stanford Online Products' test split — 60,502 × 128, 11,316 classes
// of 2–12 items, clustered Gaussians from a fixed seed — timed from prepared arrays to the two
// numbers. Prints one JSON object on stdout (time, CPU time, load before/after, the longest gap
// between progress events, peak RSS, the scores and notes).
//
//   node --import tsx bench/metrics/clustering.ts [--n 60502] [--classes 11316] [--dim 128] [--seed 0]
import { cpus, loadavg } from 'node:os';
import { clusteringScores } from '../../src/core/retrieval/clustering';
import { mulberry32 } from '../../src/core/util/random';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/**
 * Classes of 2..12 items summing to n (each class starts at 2, the rest spread at random); where
 * n/classes is larger than SOP's, the cap grows to twice the mean class size.
 */
export function sopShaped(n: number, classes: number, dim: number, seed: number): { data: Float32Array; labels: Int32Array } {
  if (n < 2 * classes) throw new Error(`${classes} classes of at least 2 need n ≥ ${2 * classes}`);
  const r = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const cap = Math.max(12, Math.ceil((2 * n) / classes));
  const size = new Int32Array(classes).fill(2);
  for (let extra = n - 2 * classes; extra > 0;) {
    const c = Math.floor(r() * classes);
    if (size[c] < cap) {
      size[c]++;
      extra--;
    }
  }
  const data = new Float32Array(n * dim);
  const labels = new Int32Array(n);
  const centre = new Float64Array(dim);
  let i = 0;
  for (let c = 0; c < classes; c++) {
    for (let t = 0; t < dim; t++) centre[t] = gauss();
    for (let s = 0; s < size[c]; s++, i++) {
      labels[i] = c;
      for (let t = 0; t < dim; t++) data[i * dim + t] = centre[t] + 0.6 * gauss();
    }
  }
  return { data, labels };
}

async function main(): Promise<void> {
  const n = flag('n', 60502);
  const classes = flag('classes', 11316);
  const dim = flag('dim', 128);
  const seed = flag('seed', 0);
  const { data, labels } = sopShaped(n, classes, dim, seed);
  const load = { before: loadavg()[0] };
  let last = performance.now();
  let maxGap = 0;
  let events = 0;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const s = await clusteringScores(data, n, dim, labels, {
    seed,
    onProgress: (p) => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
      events++;
      if (process.env.BENCH_VERBOSE)
        process.stderr.write(`${((now - t0) / 1000).toFixed(1)}s ${p.stage} ${p.done}/${p.total} ${p.message ?? ''}\n`);
    },
  });
  const seconds = (performance.now() - t0) / 1000;
  maxGap = Math.max(maxGap, performance.now() - last); // the silence after the last event counts too
  const cpu = process.cpuUsage(c0);
  const out = {
    bench: 'clustering',
    shape: { n, dim, classes },
    machine: { cores: cpus().length, loadavg1Before: load.before, loadavg1After: loadavg()[0] },
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    under15s: seconds < 15,
    progress: { events, maxGapSeconds: maxGap / 1000 },
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    nmi: s.nmi,
    ami: s.ami,
    iterations: s.iterations,
    maxIterations: s.maxIterations,
    converged: s.converged,
    notes: s.notes,
  };
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
