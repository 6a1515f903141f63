// bench/scale: the whole inspection of issue #15's four shapes through the real CLI
// (`node dist/cli.js inspect E.npy DATASET --json … --out report.html`), one process per shape,
// with per-stage times, the CLI process's peak RSS and the targets side by side; faiss's
// flat search in the same run on the SOP shape. Prints one JSON object on stdout.
//
//   npm run build                                              # the bench runs dist/cli.js
//   node --import tsx bench/scale/run.ts                       # all four full shapes (minutes; a quiet machine)
//   node --import tsx bench/scale/run.ts --shapes sop,inshop   # some of them
//   node --import tsx bench/scale/run.ts --quick               # ~10× smaller shapes: a smoke run
//     [--no-peer] [--verbose] (the CLI's progress lines on stderr)
//
// Synthetic data (clustered Gaussians, seeded) is written once to $TMPDIR/embedding-lens-bench-scale
// and reused. The inspection runs with --no-cache so every stage is computed.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_EXACT_LIMIT, DEFAULT_SAMPLE_QUERIES } from '../../src/core/retrieval/sampledMetrics';
import { generate, SHAPE_NAMES, shapes, type Shape, type ShapeName } from './shapes';

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const option = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const quick = flag('quick');
const verbose = flag('verbose');
const root = resolve(__dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');
const python = process.env.LENS_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
const dir = join(tmpdir(), 'embedding-lens-bench-scale');
/** Quick shapes are ~10× smaller, so the sampled-metrics threshold is too: the same code paths run. */
const exactLimit = quick ? DEFAULT_EXACT_LIMIT / 10 : DEFAULT_EXACT_LIMIT;
const sampleQueries = quick ? DEFAULT_SAMPLE_QUERIES / 10 : DEFAULT_SAMPLE_QUERIES;
const METRIC_KEYS = (ks: number[]) => [...ks.map((k) => `recall@${k}`), 'precision@1', 'r_precision', 'map@r'];

interface CliRun {
  wallSeconds: number;
  peakRssMB: number | null;
  exitCode: number | null;
  summary: Record<string, unknown> | null;
  /** First and last time (s from start) each progress stage printed on stderr: the sub-stages. */
  progressStages: Record<string, { from: number; to: number }>;
  stderrTail: string;
}

/** Peak RSS of a live process: VmHWM, polled (the kernel keeps the high-water mark, so polling only risks missing the last ~100 ms). */
function vmHwmMB(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

function runCli(args: string[]): Promise<CliRun> {
  return new Promise((resolveRun) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let peak: number | null = null;
    const poll = setInterval(() => {
      const v = vmHwmMB(child.pid!);
      if (v !== null) peak = Math.max(peak ?? 0, v);
    }, 100);
    const stages: Record<string, { from: number; to: number }> = {};
    let tail = '';
    let partial = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (verbose) process.stderr.write(chunk);
      tail = (tail + chunk).slice(-4000);
      const at = (performance.now() - t0) / 1000;
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const m = /^(.+?): \d+\/\d+ \(/.exec(line);
        if (!m) continue;
        const s = (stages[m[1]] ??= { from: at, to: at });
        s.to = at;
      }
    });
    child.on('exit', (code) => {
      clearInterval(poll);
      const wallSeconds = (performance.now() - t0) / 1000;
      const json = args[args.indexOf('--json') + 1];
      let summary: Record<string, unknown> | null;
      try {
        summary = JSON.parse(readFileSync(json, 'utf8'));
      } catch {
        summary = null;
      }
      resolveRun({ wallSeconds, peakRssMB: peak, exitCode: code, summary, progressStages: stages, stderrTail: code === 0 ? '' : tail });
    });
  });
}

function faissPeer(embeddings: string, labels: string, ks: number[]): Record<string, unknown> {
  const r = spawnSync(python, [join(__dirname, 'faiss_peer.py'), embeddings, labels, ks.join(',')], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  if (r.status !== 0) return { skipped: (r.stderr || r.error?.message || 'failed').trim().split('\n').slice(-3).join(' | ') };
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

async function benchShape(shape: Shape): Promise<Record<string, unknown>> {
  process.stderr.write(`${shape.name}: generating ${shape.title}…\n`);
  const files = await generate(shape, dir);
  const out = join(dir, 'runs', `${shape.name}-${shape.n}`);
  mkdirSync(out, { recursive: true });
  const json = join(out, 'summary.json');
  const report = join(out, 'report.html');
  const args = [
    'inspect',
    files.embeddings,
    files.dataset,
    '--recall-k',
    shape.recallK.join(','),
    '--no-cache',
    '--exact-limit',
    String(exactLimit),
    '--sample-queries',
    String(sampleQueries),
    '--json',
    json,
    '--out',
    report,
  ];
  process.stderr.write(`${shape.name}: node dist/cli.js ${args.join(' ')}\n`);
  const load1 = loadavg()[0];
  const run = await runCli(args);
  const s = run.summary as {
    metrics?: Record<string, unknown>;
    timings?: { stage: string; ms: number }[];
    notes?: string[];
    items?: number;
    classes?: number;
  } | null;
  const stageSeconds = Object.fromEntries((s?.timings ?? []).map((t) => [t.stage, t.ms / 1000]));
  const inStages = Object.values(stageSeconds).reduce((a, b) => a + b, 0);
  const metrics = s?.metrics ?? {};
  const result: Record<string, unknown> = {
    shape: shape.title,
    items: s?.items,
    classes: s?.classes,
    protocol: metrics.protocol,
    exitCode: run.exitCode,
    wallSeconds: round(run.wallSeconds),
    peakRssMB: run.peakRssMB && Math.round(run.peakRssMB),
    stageSeconds: { ...roundAll(stageSeconds), 'report+startup': round(run.wallSeconds - inStages) },
    progressStages: Object.fromEntries(Object.entries(run.progressStages).map(([k, v]) => [k, { from: round(v.from), to: round(v.to) }])),
    metrics: Object.fromEntries(
      METRIC_KEYS(shape.recallK)
        .concat(['nmi', 'ami'])
        .map((k) => [k, metrics[k]]),
    ),
    sampled: metrics.sampled ?? null,
    notes: s?.notes,
    loadavg1: { before: load1, after: loadavg()[0] },
    generatedSeconds: files.generatedSeconds || undefined,
    ...(run.stderrTail ? { stderrTail: run.stderrTail } : {}),
  };
  result.target = quick
    ? { applies: false, why: 'the targets are for the full shapes; --quick is a smoke run' }
    : {
        seconds: shape.target.seconds,
        rssGB: shape.target.rssGB,
        timeMet: run.exitCode === 0 && run.wallSeconds < shape.target.seconds,
        rssMet: run.exitCode === 0 && run.peakRssMB !== null && run.peakRssMB < shape.target.rssGB * 1024,
      };
  if (shape.name === 'sop' && !flag('no-peer')) {
    process.stderr.write(`${shape.name}: faiss flat search…\n`);
    const peer = faissPeer(files.embeddings, files.labels, shape.recallK);
    const keys = METRIC_KEYS(shape.recallK);
    const diffs = 'skipped' in peer || metrics.sampled ? null : keys.map((k) => Math.abs((metrics[k] as number) - (peer[k] as number)));
    const oursMetricsS = stageSeconds.metrics;
    // The part of our stage that does faiss's job (kNN graph + ranking), from the progress lines'
    // arrival times: first 'kNN …' line to the last 'Retrieval metrics' line (a slight undercount).
    const knn = Object.entries(run.progressStages).find(([k]) => k.startsWith('kNN'))?.[1];
    const ranked = run.progressStages['Retrieval metrics'];
    const oursRetrievalS = knn && ranked ? ranked.to - knn.from : null;
    const faissS = 'seconds' in peer ? (peer.seconds as number) : null;
    result.faiss = {
      ...peer,
      maxAbsDiff: diffs && Math.max(...diffs),
      equalTo1e4: diffs ? diffs.every((d) => d <= 1e-4) : null,
      ...(metrics.sampled ? { why: 'our metrics were sampled (above --exact-limit): no exact comparison' } : {}),
      // Ours: the whole 'metrics' stage (exact kNN graph + ranking + NMI/AMI + geometry), and its
      // kNN + ranking part alone; faiss: search + metric arithmetic only.
      oursMetricsStageSeconds: oursMetricsS ?? null,
      oursKnnAndRankingSeconds: oursRetrievalS === null ? null : round(oursRetrievalS),
      timeRatioOursMetricsStage: faissS && oursMetricsS ? round(oursMetricsS / faissS) : null,
      timeRatioOursKnnAndRanking: faissS && oursRetrievalS ? round(oursRetrievalS / faissS) : null,
      timeMet: faissS && oursRetrievalS ? oursRetrievalS <= faissS : null,
    };
  }
  return result;
}

const round = (x: number) => Math.round(x * 100) / 100;
const roundAll = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, round(v)]));

async function main(): Promise<void> {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first`);
  const wanted = (option('shapes') ?? SHAPE_NAMES.join(',')).split(',').map((s) => s.trim().toLowerCase());
  const bad = wanted.filter((s) => !SHAPE_NAMES.includes(s as ShapeName));
  if (bad.length) throw new Error(`--shapes takes ${SHAPE_NAMES.join(',')}; got ${bad.join(',')}`);
  const all = shapes(quick);
  const results: Record<string, unknown> = {};
  for (const name of wanted as ShapeName[]) results[name] = await benchShape(all[name]);
  const table = Object.entries(results).map(([name, r]) => {
    const x = r as { wallSeconds: number; peakRssMB: number | null; exitCode: number | null; target: Record<string, unknown> };
    const t = all[name as ShapeName].target;
    return (
      `${name}: ${x.wallSeconds} s (target < ${t.seconds} s) · peak RSS ${x.peakRssMB} MB (target < ${t.rssGB} GB)` +
      (x.exitCode !== 0
        ? ` · FAILED (exit ${x.exitCode})`
        : quick
          ? ' · quick: targets not judged'
          : ` · time ${x.target.timeMet ? 'met' : 'NOT met'}, RSS ${x.target.rssMet ? 'met' : 'NOT met'}`)
    );
  });
  process.stdout.write(
    JSON.stringify(
      {
        bench: 'scale',
        quick,
        machine: {
          cores: cpus().length,
          cpu: cpus()[0]?.model,
          memoryGB: round(totalmem() / 2 ** 30),
          loadavg1: loadavg()[0],
          node: process.version,
        },
        cli: { exactLimit, sampleQueries, distance: 'cosine (L2-normalised rows), the default' },
        table,
        shapes: results,
      },
      null,
      2,
    ) + '\n',
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
