/**
 * Layout coordinates → the map's world square [0,1]², aspect kept and centred, so PCA and UMAP
 * share one zoom frame and the animation between them never jumps off screen.
 */
export function normaliseLayout(coords: Float32Array): Float32Array {
  const n = coords.length >> 1;
  let minX = Infinity,
    minY = Infinity,
    maxX = -Infinity,
    maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = coords[2 * i],
      y = coords[2 * i + 1];
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  const out = new Float32Array(coords.length);
  if (!Number.isFinite(minX)) return out.fill(0.5);
  const span = Math.max(maxX - minX, maxY - minY) || 1;
  const ox = (1 - (maxX - minX) / span) / 2;
  const oy = (1 - (maxY - minY) / span) / 2;
  for (let i = 0; i < n; i++) {
    const x = coords[2 * i],
      y = coords[2 * i + 1];
    // Non-finite coordinates (a failed projection row) sit in the centre rather than vanish.
    out[2 * i] = Number.isFinite(x) ? ox + (x - minX) / span : 0.5;
    out[2 * i + 1] = Number.isFinite(y) ? oy + (y - minY) / span : 0.5;
  }
  return out;
}

/** Linear mix of two layouts, for starting a new animation from wherever the points are now. */
export function mixLayouts(a: Float32Array, b: Float32Array, t: number): Float32Array {
  const out = new Float32Array(a.length);
  const s = 1 - t;
  for (let i = 0; i < a.length; i++) out[i] = a[i] * s + b[i] * t;
  return out;
}
