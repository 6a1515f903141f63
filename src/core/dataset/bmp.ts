/**
 * Unpacks an uncompressed Windows BMP (1/4/8-bit palette, 24/32-bit BGR, bottom-up or top-down)
 * into raw RGB bytes. sharp's prebuilt libvips has no BMP loader, so this only lays the pixels
 * out; sharp still does every resize and colour conversion, as for other formats.
 */
export function unpackBmp(buf: Uint8Array): { data: Buffer; width: number; height: number; channels: 3 } {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf.length < 54 || buf[0] !== 0x42 || buf[1] !== 0x4d) throw new Error('not a BMP file (no "BM" signature)');
  const dataOffset = v.getUint32(10, true);
  const headerSize = v.getUint32(14, true);
  const width = v.getInt32(18, true);
  const rawHeight = v.getInt32(22, true);
  const bpp = v.getUint16(28, true);
  const compression = headerSize >= 40 ? v.getUint32(30, true) : 0;
  // BI_RGB (0), or BI_BITFIELDS (3) with the standard 32-bit BGRA masks.
  if (compression !== 0 && !(compression === 3 && bpp === 32))
    throw new Error(`compressed BMP (compression ${compression}) is not supported`);
  if (width <= 0 || rawHeight === 0 || width > 65535 || Math.abs(rawHeight) > 65535) throw new Error(`bad BMP size ${width}×${rawHeight}`);
  const height = Math.abs(rawHeight);
  const topDown = rawHeight < 0;
  if (![1, 4, 8, 24, 32].includes(bpp)) throw new Error(`BMP with ${bpp} bits per pixel is not supported`);
  const rowBytes = Math.ceil((width * bpp) / 32) * 4;
  if (dataOffset + rowBytes * height > buf.length) throw new Error('BMP pixel data is truncated');
  let palette: Uint8Array | undefined;
  if (bpp <= 8) {
    const colours = (headerSize >= 40 ? v.getUint32(46, true) : 0) || 1 << bpp;
    const start = 14 + headerSize;
    palette = buf.subarray(start, start + colours * 4);
  }
  const out = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    const row = dataOffset + (topDown ? y : height - 1 - y) * rowBytes;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      if (bpp >= 24) {
        const p = row + x * (bpp / 8);
        out[o] = buf[p + 2];
        out[o + 1] = buf[p + 1];
        out[o + 2] = buf[p];
      } else {
        const bit = x * bpp;
        const byte = buf[row + (bit >> 3)];
        const idx = (byte >> (8 - bpp - (bit & 7))) & ((1 << bpp) - 1);
        const q = idx * 4;
        if (!palette || q + 2 >= palette.length) throw new Error('BMP palette index out of range');
        out[o] = palette[q + 2];
        out[o + 1] = palette[q + 1];
        out[o + 2] = palette[q];
      }
    }
  }
  return { data: out, width, height, channels: 3 };
}
