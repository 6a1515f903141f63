/**
 * Runs the shipped CLI bundle's `main(argv)` in a plain `node` child process and times it from
 * inside that process, the way bench/embed has always timed ours (the Node start and the bundle's
 * load are not counted, as Python's start is not counted for PyTorch).
 *
 * Why a child: this bench runs under `node --import tsx`, and worker threads inherit their parent's
 * execArgv, so an in-process run loaded tsx's hooks into the embed worker too — about 0.24 s of
 * start-up that no user pays (the extension host and `node dist/cli.js` have no tsx).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const CHILD = `
const t = require(process.argv[1]);
const argv = JSON.parse(process.argv[2]);
const t0 = performance.now();
t.main(argv).then((code) => {
  const seconds = (performance.now() - t0) / 1000;
  // Exit once the line is out: a handle left open must not keep the bench waiting.
  process.stdout.write(JSON.stringify({ code, seconds }) + '\\n', () => process.exit(0));
});
`;

export function timeCliMain(root: string, argv: string[]): { code: number; seconds: number } {
  const r = spawnSync(process.execPath, ['-e', CHILD, join(root, 'dist/cli.js'), JSON.stringify(argv)], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
    // The child's progress lines go where this bench's go.
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) throw new Error(`dist/cli.js ${argv[0]} failed (exit ${r.status}): ${line}`);
  return JSON.parse(line) as { code: number; seconds: number };
}

/**
 * `embedding-lens embed <checkpoint> <dataset> <flags…>` through timeCliMain, writing `emb.npy` and
 * `summary.json` into `outDir`: the paths, the seconds and the parsed summary (the caller types it).
 */
export function embedThroughCli(
  root: string,
  outDir: string,
  checkpoint: string,
  dataset: string,
  flags: string[],
): { npy: string; seconds: number; summary: unknown } {
  mkdirSync(outDir, { recursive: true });
  const npy = join(outDir, 'emb.npy');
  const json = join(outDir, 'summary.json');
  const { code, seconds } = timeCliMain(root, ['embed', checkpoint, dataset, ...flags, '--out', npy, '--json', json]);
  if (code !== 0) throw new Error(`embedding-lens embed exited with ${code}`);
  return { npy, seconds, summary: JSON.parse(readFileSync(json, 'utf8')) };
}
