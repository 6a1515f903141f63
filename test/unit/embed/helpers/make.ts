// Builders for the engine tests: temporary folders, tiny images, IDX files, saved tfjs models,
// and a plain-JS forward pass of the hand-built ONNX fixtures to check runtimes against.
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import sharp from 'sharp';

export const modelsDir = resolve(__dirname, '../../../fixtures/models');

export function tmp(prefix = 'lens-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A w×h image whose pixels depend on `seed`, written in the format the extension implies. */
export async function writeImage(file: string, w: number, h: number, seed: number, channels: 1 | 3 = 3): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  const px = Buffer.alloc(w * h * channels);
  for (let i = 0; i < px.length; i++) px[i] = (i * 37 + seed * 101 + ((i * seed) % 13) * 7) % 256;
  const img = sharp(px, { raw: { width: w, height: h, channels } });
  const ext = file.slice(file.lastIndexOf('.') + 1).toLowerCase();
  if (ext === 'jpg' || ext === 'jpeg') await img.jpeg({ quality: 95 }).toFile(file);
  else if (ext === 'webp') await img.webp({ lossless: true }).toFile(file);
  else if (ext === 'tif' || ext === 'tiff') await img.tiff().toFile(file);
  else if (ext === 'gif') await img.gif().toFile(file);
  else await img.png().toFile(file);
}

/** ImageFolder with `perClass[c]` PNGs in class folder `c` (every third one a folder deeper). */
export async function makeImageFolder(root: string, perClass: Record<string, number>, size = 8): Promise<void> {
  let seed = 1;
  for (const [cls, count] of Object.entries(perClass)) {
    for (let i = 0; i < count; i++) {
      const sub = i % 3 === 2 ? 'deeper/' : '';
      await writeImage(join(root, cls, `${sub}img${i}.png`), size, size, seed++, 1);
    }
  }
}

export function idxBytes(dims: number[], data: Uint8Array): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head[2] = 0x08;
  head[3] = dims.length;
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, Buffer.from(data)]);
}

/** `<prefix>-images-idx3-ubyte[.gz]` + labels: n images of rows×cols with pixel = (i*7 + p) % 256. */
export function writeIdxPair(
  dir: string,
  prefix: string,
  labels: number[],
  rows = 8,
  cols = 8,
  gz = false,
): { images: string; labels: string; pixels: Uint8Array } {
  mkdirSync(dir, { recursive: true });
  const n = labels.length;
  const pixels = Uint8Array.from({ length: n * rows * cols }, (_, k) => (Math.floor(k / (rows * cols)) * 7 + k) % 256);
  const sfx = gz ? '.gz' : '';
  const images = join(dir, `${prefix}-images-idx3-ubyte${sfx}`);
  const labelsFile = join(dir, `${prefix}-labels-idx1-ubyte${sfx}`);
  const enc = (b: Buffer) => (gz ? gzipSync(b) : b);
  writeFileSync(images, enc(idxBytes([n, rows, cols], pixels)));
  writeFileSync(labelsFile, enc(idxBytes([n], Uint8Array.from(labels))));
  return { images, labels: labelsFile, pixels };
}

interface WeightsIndex {
  layers: { op: string; out?: number; name?: string }[];
  input: number[];
  tensors: { name: string; shape: number[]; offset: number }[];
}

/**
 * Float64 forward pass of a make-fixture-onnx model on one CHW image, returning every named
 * layer output: an independent reference for the ONNX runtime and the tfjs twin.
 */
export function referenceForward(model: string, chw: Float32Array): Record<string, number[]> {
  const index = JSON.parse(readFileSync(join(modelsDir, `${model}.weights.json`), 'utf8')) as WeightsIndex;
  const bin = readFileSync(join(modelsDir, `${model}.weights.bin`));
  const all = new Float32Array(bin.buffer, bin.byteOffset, bin.byteLength / 4);
  const tensor = (name: string) => {
    const t = index.tensors.find((x) => x.name === name)!;
    return all.subarray(t.offset, t.offset + t.shape.reduce((a, b) => a * b, 1));
  };
  let [c, h, w] = index.input;
  let x: number[] = Array.from(chw);
  const named: Record<string, number[]> = {};
  index.layers.forEach((l, i) => {
    if (l.op === 'conv') {
      const W = tensor(`conv${i}.weight`);
      const B = tensor(`conv${i}.bias`);
      const o = l.out!;
      const y = new Array(o * h * w).fill(0);
      for (let oc = 0; oc < o; oc++)
        for (let r = 0; r < h; r++)
          for (let s = 0; s < w; s++) {
            let acc = B[oc];
            for (let ic = 0; ic < c; ic++)
              for (let kr = 0; kr < 3; kr++)
                for (let ks = 0; ks < 3; ks++) {
                  const rr = r + kr - 1;
                  const ss = s + ks - 1;
                  if (rr < 0 || rr >= h || ss < 0 || ss >= w) continue;
                  acc += W[((oc * c + ic) * 3 + kr) * 3 + ks] * x[(ic * h + rr) * w + ss];
                }
            y[(oc * h + r) * w + s] = acc;
          }
      x = y;
      c = o;
    } else if (l.op === 'relu') x = x.map((v) => Math.max(0, v));
    else if (l.op === 'maxpool') {
      const y: number[] = [];
      const h2 = Math.floor(h / 2);
      const w2 = Math.floor(w / 2);
      for (let k = 0; k < c; k++)
        for (let r = 0; r < h2; r++)
          for (let s = 0; s < w2; s++) {
            y.push(
              Math.max(
                x[(k * h + 2 * r) * w + 2 * s],
                x[(k * h + 2 * r) * w + 2 * s + 1],
                x[(k * h + 2 * r + 1) * w + 2 * s],
                x[(k * h + 2 * r + 1) * w + 2 * s + 1],
              ),
            );
          }
      x = y;
      h = h2;
      w = w2;
    } else if (l.op === 'gap') {
      x = Array.from({ length: c }, (_, k) => x.slice(k * h * w, (k + 1) * h * w).reduce((a, b) => a + b, 0) / (h * w));
      h = w = 1;
    } else if (l.op === 'gemm') {
      const W = tensor(`fc${i}.weight`);
      const B = tensor(`fc${i}.bias`);
      const inN = x.length;
      x = Array.from({ length: l.out! }, (_, o) => B[o] + x.reduce((acc, v, k) => acc + W[o * inN + k] * v, 0));
      c = l.out!;
    } else if (l.op === 'softmax') {
      const m = Math.max(...x);
      const e = x.map((v) => Math.exp(v - m));
      const s = e.reduce((a, b) => a + b, 0);
      x = e.map((v) => v / s);
    }
    if (l.name) named[l.name] = x.slice();
  });
  return named;
}

/** The grey pixels `writeImage(…, channels 1)` produced, scaled to [0,1] as the default preprocessing does. */
export function expectedGrey(w: number, h: number, seed: number): Float32Array {
  return Float32Array.from({ length: w * h }, (_, i) => ((i * 37 + seed * 101 + ((i * seed) % 13) * 7) % 256) / 255);
}
