import { extname } from 'node:path';
import sharp, { type KernelEnum, type Sharp } from 'sharp';
import type { Preprocess, Resample } from '../checkpoint/config';
import { unpackBmp } from './bmp';
import { greyOfRgb, unpackPlainPng } from './png';
import { readImageFile } from './regularFile';

/**
 * An image to decode: a file on disk (with its bytes when the caller has read them already), or raw
 * 8-bit pixels (an IDX image).
 */
export type ImageSource = { file: string; bytes?: Uint8Array } | { raw: Uint8Array; width: number; height: number; channels: 1 | 3 };

/** sharp's kernel for each resample filter (its default, when none is set, is lanczos3). */
const SHARP_KERNEL: Record<Resample, keyof KernelEnum> = { nearest: 'nearest', bilinear: 'linear', bicubic: 'cubic', lanczos: 'lanczos3' };

export const floatsPerItem = (pp: Preprocess) => pp.height * pp.width * pp.channels;

/**
 * Decodes one image with sharp, converts it to the model's channels, resizes (centre-crop or
 * stretch), normalises and writes it into `out` at item `slot` in the model's layout. Throws on
 * an unreadable or corrupt image; the caller counts it as skipped.
 */
export async function preprocessInto(src: ImageSource, pp: Preprocess, out: Float32Array, slot: number): Promise<void> {
  const { width: w, height: h, channels: c } = pp;
  let pixels: Uint8Array;
  if ('raw' in src && src.width === w && src.height === h && (src.channels === c || (src.channels === 1 && c === 3))) {
    // Already the right size (IDX → a model of that size): no decode or resample, only layout.
    pixels = src.raw;
    writeFloats(pixels, src.channels, pp, out, slot);
    return;
  }
  let img: Sharp;
  if ('raw' in src) img = sharp(src.raw, { raw: { width: src.width, height: src.height, channels: src.channels } });
  else {
    // Read through a checked descriptor, never by path: a FIFO or device listed as an image is a
    // skipped item ("not a regular file"), not a read that blocks or never ends.
    const bytes = src.bytes ?? (await readImageFile(src.file));
    // A plain PNG already the model's size (Fashion-MNIST at 28 px): decoded here, no sharp call.
    const png = unpackPlainPng(bytes);
    if (png && png.width === w && png.height === h) {
      // Grey is replicated for an RGB model; an RGB image feeds a grey model only when it is grey.
      const grey = png.channels === 3 && c === 1;
      const pixels = grey ? greyOfRgb(png.data) : png.data;
      if (pixels) {
        writeFloats(pixels, grey ? 1 : png.channels, pp, out, slot);
        return;
      }
    }
    if (extname(src.file).toLowerCase() === '.bmp') {
      const bmp = unpackBmp(bytes);
      img = sharp(bmp.data, { raw: { width: bmp.width, height: bmp.height, channels: bmp.channels } });
    } else img = sharp(bytes, { failOn: 'error', animated: false });
  }
  img = img.removeAlpha();
  img = c === 1 ? img.toColourspace('b-w') : img.toColourspace('srgb');
  img = img.resize(w, h, {
    fit: pp.resize === 'crop' ? 'cover' : 'fill',
    position: 'centre',
    ...(pp.resample ? { kernel: SHARP_KERNEL[pp.resample] } : {}),
  });
  const { data, info } = await img.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  if (info.width !== w || info.height !== h || data.length !== w * h * info.channels) {
    throw new Error(`decoded to ${info.width}×${info.height}×${info.channels}, expected ${w}×${h}×${c}`);
  }
  if (info.channels !== c && !(info.channels === 1 && c === 3)) throw new Error(`decoded to ${info.channels} channels, expected ${c}`);
  writeFloats(data, info.channels, pp, out, slot);
}

/** 8-bit HWC pixels (1 or `pp.channels` channels; grey is replicated to RGB) → normalised floats. */
export function writeFloats(px: Uint8Array, srcChannels: number, pp: Preprocess, out: Float32Array, slot: number): void {
  const { width: w, height: h, channels: c, mean, std } = pp;
  const hw = w * h;
  const base = slot * hw * c;
  const scale = mean.map((_, k) => 1 / (255 * std[k]));
  const shift = mean.map((m, k) => m / std[k]);
  if (pp.layout === 'NHWC') {
    for (let p = 0; p < hw; p++) {
      for (let k = 0; k < c; k++) {
        const v = px[srcChannels === 1 ? p : p * c + k];
        out[base + p * c + k] = v * scale[k] - shift[k];
      }
    }
  } else {
    for (let k = 0; k < c; k++) {
      const plane = base + k * hw;
      for (let p = 0; p < hw; p++) {
        const v = px[srcChannels === 1 ? p : p * c + k];
        out[plane + p] = v * scale[k] - shift[k];
      }
    }
  }
}
