// Tiny generated inputs for host tests, written into the workspace the workbench opened.
// Nothing binary is committed: each test writes the checkpoint/dataset files it needs here.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { harness } from './runner';

/** Absolute path of the workspace folder (a fresh temp copy of test/host/workspace/ per run). */
export function workspaceDir(): string {
  return harness().workspace;
}

/** Writes `data` to `rel` inside the workspace (creating folders); returns the absolute path. */
export function writeWorkspaceFile(rel: string, data: string | Uint8Array): string {
  const file = join(workspaceDir(), rel);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, data);
  return file;
}

/** A float32 little-endian `.npy` (format 1.0) of `shape`, e.g. embeddings N×D. */
export function npyBytes(data: Float32Array, shape: number[]): Uint8Array {
  if (shape.reduce((a, b) => a * b, 1) !== data.length) throw new Error(`npy shape ${shape} does not match ${data.length} values`);
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${dims}), }`;
  // Magic (6) + version (2) + length (2) + header + '\n' padded to a multiple of 64.
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, ...Buffer.from('NUMPY'), 1, 0, header.length & 0xff, header.length >> 8]);
  out.set(Buffer.from(header, 'latin1'), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** An 8-bit RGB PNG from `rgb` (width×height×3, row-major). */
export function pngBytes(width: number, height: number, rgb: Uint8Array): Uint8Array {
  if (rgb.length !== width * height * 3) throw new Error(`png: expected ${width * height * 3} bytes, got ${rgb.length}`);
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 3 + 1)] = 0; // filter: none
    Buffer.from(rgb.buffer, rgb.byteOffset + y * width * 3, width * 3).copy(raw, y * (width * 3 + 1) + 1);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // bit depth 8, colour type RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/**
 * An ImageFolder dataset at `rel`: `classes` subfolders with `perClass` PNGs each. Class c is a
 * distinct solid hue with a per-image brightness step, so a model can separate the classes.
 * Returns the absolute folder path.
 */
export function writeImageFolder(rel: string, { classes = 3, perClass = 4, size = 16 } = {}): string {
  for (let c = 0; c < classes; c++) {
    for (let i = 0; i < perClass; i++) {
      const rgb = new Uint8Array(size * size * 3);
      const hue = [(c * 97) % 256, (c * 53 + 80) % 256, (c * 29 + 160) % 256];
      for (let p = 0; p < size * size; p++) {
        for (let k = 0; k < 3; k++) rgb[p * 3 + k] = Math.min(255, hue[k] + i * 8);
      }
      writeWorkspaceFile(join(rel, `class_${c}`, `img_${i}.png`), pngBytes(size, size, rgb));
    }
  }
  return join(workspaceDir(), rel);
}

/**
 * Precomputed embeddings `rel`.npy (N×dim, class c centred on axis c) plus `rel`.labels.json, for
 * flows that accept an embeddings file as the checkpoint. Returns the .npy path.
 */
export function writeEmbeddings(rel: string, { classes = 3, perClass = 5, dim = 8 } = {}): string {
  const n = classes * perClass;
  const data = new Float32Array(n * dim);
  const labels: number[] = [];
  for (let c = 0; c < classes; c++) {
    for (let i = 0; i < perClass; i++) {
      const row = c * perClass + i;
      labels.push(c);
      data[row * dim + (c % dim)] = 1;
      data[row * dim + ((c + 1) % dim)] = 0.05 * (i + 1);
    }
  }
  writeWorkspaceFile(`${rel}.labels.json`, JSON.stringify(labels));
  return writeWorkspaceFile(`${rel}.npy`, npyBytes(data, [n, dim]));
}
