import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { listEntries } from '../../../src/core/util/atomicDir';
import { rng } from '../../../src/core/train/batches';

/**
 * A separable toy image set: class c lights a 2×2 block at its own place in an 8×8 grey image,
 * plus noise, so a tiny CNN can learn it in a few epochs.
 */
export function toyImages(classes: number, perClass: number, seed = 1, size = 8): { x: Float32Array; labels: Int32Array } {
  const rand = rng(seed);
  const n = classes * perClass;
  const x = new Float32Array(n * size * size);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % classes;
    labels[i] = c;
    const r0 = (2 * Math.floor(c / (size / 2))) % (size - 1);
    const c0 = (2 * c) % size;
    for (let p = 0; p < size * size; p++) x[i * size * size + p] = 0.3 * (rand() - 0.5);
    for (const [dr, dc] of [
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ])
      x[i * size * size + (r0 + dr) * size + c0 + dc] += 1;
  }
  return { x, labels };
}

/** sha256 of every file under a folder, to prove a source checkpoint was left byte-identical. */
export async function hashTree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of listEntries(dir).filter((e) => statSync(join(dir, e)).isFile()))
    out[f] = createHash('sha256')
      .update(readFileSync(join(dir, f)))
      .digest('hex');
  return out;
}

/** Writes toy images as an ImageFolder dataset (class subfolders of 8-bit grey PNGs). */
export async function writeToyDataset(dir: string, classes: number, perClass: number, seed = 1): Promise<void> {
  const sharp = (await import('sharp')).default;
  const { mkdir } = await import('node:fs/promises');
  const { x } = toyImages(classes, perClass, seed);
  for (let i = 0; i < classes * perClass; i++) {
    const c = i % classes;
    const cls = join(dir, `class_${c}`);
    await mkdir(cls, { recursive: true });
    const px = Uint8Array.from(x.subarray(i * 64, (i + 1) * 64), (v) => Math.max(0, Math.min(255, Math.round(v * 200 + 30))));
    await sharp(Buffer.from(px), { raw: { width: 8, height: 8, channels: 1 } })
      .png()
      .toFile(join(cls, `img_${i}.png`));
  }
}
