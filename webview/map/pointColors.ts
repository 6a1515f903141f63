import type { Rgba } from '../colors';

/** Which points keep their class colour; everything else is drawn muted (never hidden). */
export interface Emphasis {
  hidden: ReadonlySet<number>;
  isolated: number | null;
  /** 1 = selected; null = no selection, so every visible class stays coloured. */
  selected: Uint8Array | null;
}

export const NO_EMPHASIS: Emphasis = { hidden: new Set(), isolated: null, selected: null };

/**
 * Each point's colour (RGBA bytes) under an emphasis, and the draw order: muted first, so coloured
 * points are drawn on top of the grey ones. `active` counts the coloured points.
 */
export function pointColors(
  labels: Int32Array,
  palette: readonly Rgba[],
  muted: Rgba,
  emphasis: Emphasis,
): { colors: Uint8Array; order: Uint32Array; active: number } {
  const n = labels.length;
  const colors = new Uint8Array(n * 4);
  // One packed little-endian RGBA word per point: a single store instead of four.
  const packed = new Uint32Array(colors.buffer);
  const pack = (c: Rgba) => (c[0] | (c[1] << 8) | (c[2] << 16) | (c[3] << 24)) >>> 0;
  const mutedWord = pack(muted);
  const classColor = Uint32Array.from(palette, pack);
  const { hidden, isolated, selected } = emphasis;
  const classOn = new Uint8Array(Math.max(classColor.length, 1));
  for (let c = 0; c < classColor.length; c++) classOn[c] = !hidden.has(c) && (isolated === null || isolated === c) ? 1 : 0;
  const on = new Uint8Array(n);
  let active = 0;
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    const yes = classOn[c] === 1 && (!selected || selected[i] === 1);
    on[i] = yes ? 1 : 0;
    packed[i] = yes ? classColor[c] : mutedWord;
    if (yes) active++;
  }
  const order = new Uint32Array(n);
  let lo = 0,
    hi = n - active;
  for (let i = 0; i < n; i++) order[on[i] ? hi++ : lo++] = i;
  return { colors, order, active };
}
