/**
 * x^b for one exponent b fixed for a whole UMAP run (the curve's b), about 3× cheaper than
 * fastPow: x = 2^e · m with m in [1, 2), so x^b = (2^b)^e · m^b, where (2^b)^e comes from a
 * 32-entry table and m^b from a 1,024-bin table with linear interpolation (relative error about
 * 1e-8, far below the float32 resolution of a layout). The exponent e is found with an integer
 * conversion and clz32 — a couple of instructions — instead of reading the float's bits through a
 * typed-array alias, whose store-to-load round trip dominated fastPow's cost inside the optimiser.
 * Outside [2^-16, 2^15), which a layout never reaches in practice, it hands over to fastPow.
 */
import { fastPow } from './fastPow';

const MANTISSA_BINS = 1024;
/** e in [-16, 14] is stored at e + 16 (= 31 − clz32(x·2^16)). */
const EXPONENT_SLOTS = 32;
const LOW = 2 ** -16;
const HIGH = 2 ** 15;

export interface PowTable {
  b: number;
  /** (1 + i/1024)^b for i in 0..1024. */
  mantissa: Float64Array;
  /** mantissa[i + 1] − mantissa[i]. */
  slope: Float64Array;
  /** 2^(b·e) at e + 16. */
  scale: Float64Array;
  /** 2^−e at e + 16. */
  unscale: Float64Array;
}

export function makePowTable(b: number): PowTable {
  const mantissa = new Float64Array(MANTISSA_BINS + 1);
  for (let i = 0; i <= MANTISSA_BINS; i++) mantissa[i] = Math.pow(1 + i / MANTISSA_BINS, b);
  const slope = new Float64Array(MANTISSA_BINS);
  for (let i = 0; i < MANTISSA_BINS; i++) slope[i] = mantissa[i + 1] - mantissa[i];
  const scale = new Float64Array(EXPONENT_SLOTS);
  const unscale = new Float64Array(EXPONENT_SLOTS);
  for (let s = 0; s < EXPONENT_SLOTS; s++) {
    scale[s] = Math.pow(2, b * (s - 16));
    unscale[s] = Math.pow(2, 16 - s);
  }
  return { b, mantissa, slope, scale, unscale };
}

/** x^t.b for x ≥ 0 (0 → 0). */
export function tablePow(x: number, t: PowTable): number {
  if (!(x >= LOW && x < HIGH)) return fastPow(x, t.b);
  const slot = 31 - Math.clz32((x * 65536) | 0);
  const f = (x * t.unscale[slot] - 1) * MANTISSA_BINS;
  const i = f | 0;
  return t.scale[slot] * (t.mantissa[i] + (f - i) * t.slope[i]);
}
