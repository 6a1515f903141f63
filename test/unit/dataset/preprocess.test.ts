import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { preprocessInto, writeFloats } from '../../../src/core/dataset/preprocess';
import { unpackBmp } from '../../../src/core/dataset/bmp';
import type { Preprocess } from '../../../src/core/checkpoint';
import { tmp } from '../embed/helpers/make';

const pp = (o: Partial<Preprocess>): Preprocess => ({
  height: 2,
  width: 2,
  channels: 3,
  mean: [0, 0, 0],
  std: [1, 1, 1],
  resize: 'stretch',
  layout: 'NHWC',
  ...o,
});

test('layout and normalisation: NHWC vs NCHW, per-channel mean/std, grey replicated to RGB', () => {
  const px = Uint8Array.from([0, 51, 255, 255, 0, 0, 0, 255, 0, 0, 0, 255]); // 2×2 RGB
  const nhwc = new Float32Array(12);
  writeFloats(px, 3, pp({}), nhwc, 0);
  assert.deepEqual(
    Array.from(nhwc.slice(0, 3), (v) => +v.toFixed(4)),
    [0, 0.2, 1],
  );
  const nchw = new Float32Array(24);
  writeFloats(px, 3, pp({ layout: 'NCHW', mean: [0.5, 0, 0], std: [0.5, 1, 2] }), nchw, 1);
  // item slot 1 starts at 12; R plane: pixels 0..3 R values 0,255,0,0 → (x-0.5)/0.5
  assert.deepEqual(Array.from(nchw.slice(12, 16)), [-1, 1, -1, -1]);
  assert.deepEqual(Array.from(nchw.slice(20, 24)), [0.5, 0, 0, 0.5]);
  const grey = new Float32Array(12);
  writeFloats(Uint8Array.from([255, 0, 0, 0]), 1, pp({}), grey, 0);
  assert.deepEqual(Array.from(grey.slice(0, 6)), [1, 1, 1, 0, 0, 0]);
});

test('sharp decode: centre-crop keeps the middle, stretch keeps everything; grey and RGB outputs', async () => {
  const dir = tmp();
  // 6×2 image: left third black, middle white, right third black.
  const px = Buffer.alloc(6 * 2 * 3);
  for (let y = 0; y < 2; y++) for (let x = 2; x < 4; x++) for (let k = 0; k < 3; k++) px[(y * 6 + x) * 3 + k] = 255;
  const file = join(dir, 'stripe.png');
  await sharp(px, { raw: { width: 6, height: 2, channels: 3 } })
    .png()
    .toFile(file);
  const crop = new Float32Array(4);
  await preprocessInto({ file }, pp({ channels: 1, mean: [0], std: [1], resize: 'crop' }), crop, 0);
  assert.deepEqual(Array.from(crop), [1, 1, 1, 1], 'the centre 2×2 is white');
  const stretch = new Float32Array(12);
  await preprocessInto({ file }, pp({ resize: 'stretch' }), stretch, 0);
  assert.ok(stretch[0] < 0.6 && stretch[3] < 0.6, `stretch averages the dark sides in (got ${stretch[0]}, ${stretch[3]})`);
  const rgba = join(dir, 'rgba.png');
  await sharp({ create: { width: 3, height: 3, channels: 4, background: { r: 255, g: 0, b: 0, alpha: 0.5 } } })
    .png()
    .toFile(rgba);
  const out = new Float32Array(3 * 3 * 3);
  await preprocessInto({ file: rgba }, pp({ height: 3, width: 3 }), out, 0);
  assert.deepEqual(Array.from(out.slice(0, 3)), [1, 0, 0], 'alpha dropped, RGB kept');
});

test('raw IDX pixels at the model size skip decoding; other sizes go through sharp', async () => {
  const raw = Uint8Array.from({ length: 16 }, (_, i) => i * 16);
  const same = new Float32Array(16);
  await preprocessInto({ raw, width: 4, height: 4, channels: 1 }, pp({ height: 4, width: 4, channels: 1, mean: [0], std: [1] }), same, 0);
  assert.deepEqual(
    Array.from(same),
    Array.from(raw, (v) => v / 255).map((v) => Math.fround(v)),
  );
  const small = new Float32Array(4 * 3);
  await preprocessInto({ raw, width: 4, height: 4, channels: 1 }, pp({}), small, 0);
  assert.ok(small.every((v) => v >= 0 && v <= 1));
  assert.equal(small[0], small[1], 'grey → RGB: the channels are equal');
});

test('corrupt and truncated images throw (the embed loop counts them as skipped)', async () => {
  const dir = tmp();
  const bad = join(dir, 'bad.jpg');
  writeFileSync(bad, 'definitely not a jpeg');
  await assert.rejects(preprocessInto({ file: bad }, pp({}), new Float32Array(12), 0));
  const png = await sharp({ create: { width: 20, height: 20, channels: 3, background: '#888' } })
    .png()
    .toBuffer();
  const cut = join(dir, 'cut.png');
  writeFileSync(cut, png.subarray(0, png.length - 30));
  await assert.rejects(preprocessInto({ file: cut }, pp({}), new Float32Array(12), 0));
  await assert.rejects(preprocessInto({ file: join(dir, 'missing.png') }, pp({}), new Float32Array(12), 0));
});

function bmp24(w: number, h: number, rgb: (x: number, y: number) => [number, number, number]): Buffer {
  const row = Math.ceil((w * 3) / 4) * 4;
  const buf = Buffer.alloc(54 + row * h);
  buf.write('BM', 0);
  buf.writeUInt32LE(buf.length, 2);
  buf.writeUInt32LE(54, 10);
  buf.writeUInt32LE(40, 14);
  buf.writeInt32LE(w, 18);
  buf.writeInt32LE(h, 22);
  buf.writeUInt16LE(1, 26);
  buf.writeUInt16LE(24, 28);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const [r, g, b] = rgb(x, y);
      const o = 54 + (h - 1 - y) * row + x * 3;
      buf[o] = b;
      buf[o + 1] = g;
      buf[o + 2] = r;
    }
  return buf;
}

test('BMP: bottom-up 24-bit rows unpacked to RGB, then sharp does the rest', async () => {
  const b = bmp24(3, 2, (x, y) => [x * 100, y * 200, 7]);
  const u = unpackBmp(b);
  assert.deepEqual([u.width, u.height], [3, 2]);
  assert.deepEqual(Array.from(u.data.subarray(0, 6)), [0, 0, 7, 100, 0, 7]);
  assert.deepEqual(Array.from(u.data.subarray(9, 12)), [0, 200, 7]);
  const file = join(tmp(), 'x.bmp');
  writeFileSync(file, b);
  const out = new Float32Array(3 * 2 * 3);
  await preprocessInto({ file }, pp({ width: 3, height: 2 }), out, 0);
  assert.ok(Math.abs(out[3] - 100 / 255) < 1e-6);
  assert.throws(() => unpackBmp(b.subarray(0, 60)), /truncated/);
});

test('resample: the chosen filter is the one the image is resized with (nearest keeps hard edges, the default smooths)', async () => {
  const dir = tmp();
  // 8×1 grey: alternating black/white pairs; down to 4×1 a nearest filter picks pixels, the others blend.
  const px = Buffer.from([0, 0, 255, 255, 0, 0, 255, 255]);
  const file = join(dir, 'bars.png');
  await sharp(px, { raw: { width: 8, height: 1, channels: 1 } })
    .png()
    .toFile(file);
  const grey = (o: Partial<Preprocess>) => pp({ height: 1, width: 4, channels: 1, mean: [0], std: [1], ...o });
  const decode = async (o: Partial<Preprocess>) => {
    const out = new Float32Array(4);
    await preprocessInto({ file }, grey(o), out, 0);
    return Array.from(out, (v) => Math.round(v * 255));
  };
  const nearest = await decode({ resample: 'nearest' });
  assert.ok(
    nearest.every((v) => v === 0 || v === 255),
    `nearest picks source pixels: ${nearest}`,
  );
  const byFilter = {
    default: await decode({}),
    bilinear: await decode({ resample: 'bilinear' }),
    bicubic: await decode({ resample: 'bicubic' }),
    lanczos: await decode({ resample: 'lanczos' }),
  };
  assert.deepEqual(byFilter.lanczos, byFilter.default, "lanczos is sharp's default filter");
  for (const [name, v] of Object.entries(byFilter))
    assert.ok(
      v.some((x) => x > 0 && x < 255),
      `${name} blends neighbours: ${v}`,
    );
  // The same reference call to sharp with the mapped kernel: the filter really is passed through.
  const ref = await sharp(file).toColourspace('b-w').resize(4, 1, { fit: 'fill', kernel: 'linear' }).raw().toBuffer();
  assert.deepEqual(byFilter.bilinear, Array.from(ref));
});
