import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { unpackPlainPng } from '../../../src/core/dataset/png';

// The direct PNG decoder must give exactly sharp's pixels, or step aside (undefined) for sharp.
const noise = (n: number, seed: number) => {
  let s = seed;
  return Uint8Array.from({ length: n }, (_, i) => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 24) ^ (i * 7));
};

/** What preprocessInto's sharp path reads: grey for a grey model, sRGB for an RGB one. */
async function sharpPixels(png: Buffer, channels: 1 | 3): Promise<Buffer> {
  return sharp(png)
    .toColourspace(channels === 1 ? 'b-w' : 'srgb')
    .raw()
    .toBuffer();
}

test("grey and RGB PNGs from sharp (adaptive filtering) decode to exactly sharp's pixels", async () => {
  for (const [w, h, ch] of [
    [28, 28, 1],
    [32, 17, 3],
    [5, 9, 1],
    [64, 64, 3],
  ] as const) {
    for (const seed of [1, 2]) {
      const png = await sharp(Buffer.from(noise(w * h * ch, seed)), { raw: { width: w, height: h, channels: ch } })
        .toColourspace(ch === 1 ? 'b-w' : 'srgb')
        .png({ adaptiveFiltering: true, compressionLevel: 9 })
        .toBuffer();
      const got = unpackPlainPng(png);
      assert.ok(got, `${w}×${h}×${ch} is a plain PNG`);
      assert.deepEqual([got.width, got.height, got.channels], [w, h, ch]);
      assert.deepEqual(Buffer.from(got.data), await sharpPixels(png, ch));
    }
  }
});

/** A PNG whose every row uses `filter` (0 None … 4 Paeth), encoded here by the definitions. */
function pngWithFilter(px: Uint8Array, w: number, h: number, ch: number, filter: number): Buffer {
  const stride = w * ch;
  const rows = Buffer.alloc((stride + 1) * h);
  const at = (x: number, y: number) => (x < 0 || y < 0 ? 0 : px[y * stride + x]);
  for (let y = 0; y < h; y++) {
    rows[y * (stride + 1)] = filter;
    for (let x = 0; x < stride; x++) {
      const a = at(x - ch, y),
        b = at(x, y - 1),
        c = at(x - ch, y - 1);
      const p = a + b - c;
      const paeth =
        Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const pred = [0, a, b, (a + b) >> 1, paeth][filter];
      rows[y * (stride + 1) + 1 + x] = (px[y * stride + x] - pred) & 0xff;
    }
  }
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, ch === 1 ? 0 : 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function crc32(b: Buffer): number {
  let c = ~0;
  for (const x of b) {
    c ^= x;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

test('every PNG row filter (None, Sub, Up, Average, Paeth) unfilters to the pixels sharp reads', async () => {
  const w = 13,
    h = 7;
  for (const ch of [1, 3]) {
    const px = noise(w * h * ch, 9 + ch);
    for (let filter = 0; filter <= 4; filter++) {
      const png = pngWithFilter(px, w, h, ch, filter);
      assert.deepEqual(Buffer.from(unpackPlainPng(png)!.data), Buffer.from(px), `filter ${filter}, ${ch} channel(s)`);
      assert.deepEqual(await sharpPixels(png, ch as 1 | 3), Buffer.from(px), `sharp agrees on filter ${filter}`);
    }
  }
});

test('anything not plain steps aside for sharp: alpha, palette, 16-bit, interlaced, truncated, not a PNG', async () => {
  const rgba = await sharp(Buffer.from(noise(8 * 8 * 4, 3)), { raw: { width: 8, height: 8, channels: 4 } })
    .png()
    .toBuffer();
  assert.equal(unpackPlainPng(rgba), undefined);
  const palette = await sharp(Buffer.from(noise(8 * 8 * 3, 4)), { raw: { width: 8, height: 8, channels: 3 } })
    .png({ palette: true })
    .toBuffer();
  assert.equal(unpackPlainPng(palette), undefined);
  const deep = await sharp(Buffer.from(noise(8 * 8 * 3, 5)), { raw: { width: 8, height: 8, channels: 3 } })
    .toColourspace('rgb16')
    .png()
    .toBuffer();
  assert.equal(unpackPlainPng(deep), undefined);
  const interlaced = await sharp(Buffer.from(noise(8 * 8, 6)), { raw: { width: 8, height: 8, channels: 1 } })
    .toColourspace('b-w')
    .png({ progressive: true })
    .toBuffer();
  assert.equal(unpackPlainPng(interlaced), undefined);
  const plain = await sharp(Buffer.from(noise(8 * 8, 7)), { raw: { width: 8, height: 8, channels: 1 } })
    .toColourspace('b-w')
    .png()
    .toBuffer();
  assert.equal(unpackPlainPng(plain.subarray(0, plain.length - 20)), undefined);
  assert.equal(unpackPlainPng(Buffer.from('not a png at all, just text that is long enough')), undefined);
});

test("preprocessInto: the direct path gives the sharp path's floats, for grey-as-RGB PNGs into a grey model too", async () => {
  const { preprocessInto } = await import('../../../src/core/dataset/preprocess');
  const { greyOfRgb } = await import('../../../src/core/dataset/png');
  const { mkdtempSync, readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'lens-png-'));
  // Every grey level once: sharp's sRGB → grey conversion maps each to itself.
  const levels = Buffer.alloc(16 * 16 * 3);
  for (let i = 0; i < 256; i++) levels[3 * i] = levels[3 * i + 1] = levels[3 * i + 2] = i;
  const greyRgb = join(dir, 'grey-rgb.png');
  await sharp(levels, { raw: { width: 16, height: 16, channels: 3 } })
    .png()
    .toFile(greyRgb);
  const colour = join(dir, 'colour.png');
  await sharp(Buffer.from(noise(16 * 16 * 3, 8)), { raw: { width: 16, height: 16, channels: 3 } })
    .png()
    .toFile(colour);
  assert.ok(greyOfRgb(unpackPlainPng(readFileSync(greyRgb))!.data), 'a grey image stored as RGB');
  const pp = (channels: 1 | 3) => ({
    height: 16,
    width: 16,
    channels,
    mean: Array(channels).fill(0.5),
    std: Array(channels).fill(0.25),
    resize: 'stretch' as const,
    layout: 'NCHW' as const,
  });
  for (const [file, channels] of [
    [greyRgb, 1],
    [greyRgb, 3],
    [colour, 3],
    [colour, 1],
  ] as const) {
    const direct = new Float32Array(16 * 16 * channels);
    await preprocessInto({ file }, pp(channels), direct, 0);
    // What the sharp path computes: sharp's pixels in the model's colour space, normalised (NCHW).
    // The colour image into a grey model is not grey, so it takes the sharp path itself.
    const px = await sharp(file)
      .toColourspace(channels === 1 ? 'b-w' : 'srgb')
      .raw()
      .toBuffer();
    const expected = Float32Array.from({ length: 16 * 16 * channels }, (_, i) => {
      const k = Math.floor(i / 256);
      const p = i % 256;
      return (px[p * channels + k] / 255 - 0.5) / 0.25;
    });
    for (let i = 0; i < expected.length; i++)
      assert.ok(
        Math.abs(direct[i] - expected[i]) < 1e-6,
        `${file} into ${channels} channel(s), value ${i}: ${direct[i]} vs ${expected[i]}`,
      );
  }
});
