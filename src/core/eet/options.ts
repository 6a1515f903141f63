/** What the EET loss (SPEC §1) needs besides the embeddings and labels. */
export interface EetOptions {
  normalize: boolean;
  margin: number;
  /** [λ_mc, λ_ec, λ_edc]. */
  weights: [number, number, number];
}

/** The terms of one batch as plain numbers. */
export interface EetValues {
  mc: number;
  ec: number;
  m: number;
  e: number;
  edc: number;
  total: number;
  anchors: number;
  classes: number;
}

export const defaultEetOptions: EetOptions = { normalize: true, margin: 0.3, weights: [1, 1, 1] };

export function resolveEetOptions(opts?: Partial<EetOptions>): EetOptions {
  const o = { ...defaultEetOptions, ...opts };
  if (!Number.isFinite(o.margin)) throw new RangeError(`EET margin must be a finite number, got ${o.margin}`);
  if (o.weights.length !== 3 || o.weights.some((w) => !Number.isFinite(w))) {
    throw new RangeError(`EET weights must be three finite numbers [λ_mc, λ_ec, λ_edc], got [${o.weights.join(', ')}]`);
  }
  return o;
}
