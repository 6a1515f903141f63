/**
 * Builds the hostile tier's shared, read-only inputs once per run (called by harness.mjs through
 * tsx): a small ImageFolder dataset, a tfjs LayersModel checkpoint, and precomputed embeddings with
 * labels. Cases copy what they need into their own folder; these files are never handed to the CLI.
 * Usage: node --import tsx test/hostile/assets.ts <outDir>   → prints the asset paths as JSON.
 */
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEMO_MARKER, makeProductImages } from '../../src/demo';
import { makeDemoCheckpoint } from '../../src/demo/demoModel';
import { encodeNpy } from '../../src/core/io/npy';

const CLASSES = 4;
const PER_CLASS = 6;
const DIM = 8;

async function main(outDir: string): Promise<void> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const dataset = await makeProductImages(join(outDir, 'dataset'), { classes: CLASSES, perClass: PER_CLASS, size: 32, seed: 3 });
  const model = await makeDemoCheckpoint(join(outDir, 'model'), { seed: 5, inputSize: 32, dim: 64 });
  // The generators mark their folders as the demo's own; the assets stand for a user's own folders.
  for (const dir of [dataset.root, model]) rmSync(join(dir, DEMO_MARKER), { force: true });
  const onnx = join(outDir, 'tiny-cnn.onnx');
  copyFileSync(resolve(__dirname, '../fixtures/models/tiny-cnn.onnx'), onnx);

  // Separable embeddings: class c sits near the c-th axis, with a little seeded jitter.
  const n = CLASSES * PER_CLASS;
  const vectors = new Float32Array(n * DIM);
  const labels: string[] = [];
  let s = 12345;
  const jitter = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32 - 0.5) * 0.2;
  for (let i = 0; i < n; i++) {
    const c = Math.floor(i / PER_CLASS);
    for (let d = 0; d < DIM; d++) vectors[i * DIM + d] = (d === c ? 1 : 0) + jitter();
    labels.push(dataset.classNames[c]);
  }
  const npy = join(outDir, 'embeddings.npy');
  writeFileSync(npy, encodeNpy(vectors, [n, DIM]));
  const labelsFile = join(outDir, 'labels.json');
  writeFileSync(labelsFile, JSON.stringify(labels) + '\n');
  process.stdout.write(JSON.stringify({ dataset: dataset.root, model, onnx, npy, labels: labelsFile }) + '\n');
}

main(resolve(process.argv[2] ?? 'test-results/hostile/assets')).catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
