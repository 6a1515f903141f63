/**
 * Orthogonal Procrustes with scaling, to lay one 2-D map over another for comparisons: the
 * rotation or reflection, uniform scale and translation that bring `a` closest (least squares)
 * to `b` over the items both maps share. Closed form in 2-D: the best rotation and the best
 * reflection each come from one atan2, and the better of the two is the SVD solution.
 */
import { LensError } from '../errors';

export interface ProcrustesResult {
  /** All of `a`'s points (n_a×2) mapped by aligned = scale · x · rotation + translation. */
  aligned: Float32Array;
  scale: number;
  /** 2×2 row-major orthogonal matrix (det +1 rotation or −1 reflection), applied to row vectors. */
  rotation: Float64Array;
  translation: Float64Array;
  /** Root-mean-square distance between aligned shared points of a and their partners in b. */
  rmsd: number;
}

export function procrustes(a: Float32Array, b: Float32Array, shared?: { aIndex: Int32Array; bIndex: Int32Array }): ProcrustesResult {
  if (a.length % 2 !== 0 || b.length % 2 !== 0)
    throw new LensError(`procrustes expects n×2 layouts, got ${a.length} and ${b.length} values`);
  const na = a.length / 2;
  const nb = b.length / 2;
  let ai: Int32Array;
  let bi: Int32Array;
  if (shared) {
    if (shared.aIndex.length !== shared.bIndex.length)
      throw new LensError(`procrustes: ${shared.aIndex.length} shared indices into a but ${shared.bIndex.length} into b`);
    ai = shared.aIndex;
    bi = shared.bIndex;
  } else {
    if (na !== nb) throw new LensError(`procrustes: layouts have ${na} and ${nb} points; pass the shared items to align different sets`);
    ai = bi = Int32Array.from({ length: na }, (_, i) => i);
  }
  const m = ai.length;
  if (m === 0) throw new LensError('procrustes: the two layouts share no items');
  for (let s = 0; s < m; s++) {
    if (!(ai[s] >= 0 && ai[s] < na) || !(bi[s] >= 0 && bi[s] < nb))
      throw new LensError(`procrustes: shared pair ${s} (${ai[s]}, ${bi[s]}) is out of range`);
    const x = a[2 * ai[s]],
      y = a[2 * ai[s] + 1],
      u = b[2 * bi[s]],
      v = b[2 * bi[s] + 1];
    if (!Number.isFinite(x + y + u + v)) throw new LensError(`procrustes: shared pair ${s} has a non-finite coordinate`);
  }
  let max = 0,
    may = 0,
    mbx = 0,
    mby = 0;
  for (let s = 0; s < m; s++) {
    max += a[2 * ai[s]];
    may += a[2 * ai[s] + 1];
    mbx += b[2 * bi[s]];
    mby += b[2 * bi[s] + 1];
  }
  max /= m;
  may /= m;
  mbx /= m;
  mby /= m;
  // M = Acᵀ Bc and ‖Ac‖².
  let m00 = 0,
    m01 = 0,
    m10 = 0,
    m11 = 0,
    ss = 0;
  for (let s = 0; s < m; s++) {
    const x = a[2 * ai[s]] - max,
      y = a[2 * ai[s] + 1] - may;
    const u = b[2 * bi[s]] - mbx,
      v = b[2 * bi[s] + 1] - mby;
    m00 += x * u;
    m01 += x * v;
    m10 += y * u;
    m11 += y * v;
    ss += x * x + y * y;
  }
  // Maximise trace(Rᵀ M) over rotations [[c, −s], [s, c]] and reflections [[c, s], [s, −c]].
  const rotGain = Math.hypot(m00 + m11, m10 - m01);
  const refGain = Math.hypot(m00 - m11, m01 + m10);
  const rotation = new Float64Array(4);
  let gain: number;
  if (rotGain >= refGain) {
    const th = Math.atan2(m10 - m01, m00 + m11);
    rotation.set([Math.cos(th), -Math.sin(th), Math.sin(th), Math.cos(th)]);
    gain = rotGain;
  } else {
    const th = Math.atan2(m01 + m10, m00 - m11);
    rotation.set([Math.cos(th), Math.sin(th), Math.sin(th), -Math.cos(th)]);
    gain = refGain;
  }
  // All shared a-points coincide: no scale or orientation is defined, only the translation.
  const scale = ss > 0 ? gain / ss : 1;
  if (!(ss > 0)) rotation.set([1, 0, 0, 1]);
  const [r00, r01, r10, r11] = rotation;
  const translation = new Float64Array([mbx - scale * (max * r00 + may * r10), mby - scale * (max * r01 + may * r11)]);
  const aligned = new Float32Array(na * 2);
  for (let i = 0; i < na; i++) {
    const x = a[2 * i],
      y = a[2 * i + 1];
    aligned[2 * i] = scale * (x * r00 + y * r10) + translation[0];
    aligned[2 * i + 1] = scale * (x * r01 + y * r11) + translation[1];
  }
  let sq = 0;
  for (let s = 0; s < m; s++) {
    const dx = scale * (a[2 * ai[s]] * r00 + a[2 * ai[s] + 1] * r10) + translation[0] - b[2 * bi[s]];
    const dy = scale * (a[2 * ai[s]] * r01 + a[2 * ai[s] + 1] * r11) + translation[1] - b[2 * bi[s] + 1];
    sq += dx * dx + dy * dy;
  }
  return { aligned, scale, rotation, translation, rmsd: Math.sqrt(sq / m) };
}
