/**
 * UMAP's low-dimensional similarity is 1 / (1 + a·d^(2b)). umap-learn picks a and b by least
 * squares so that curve matches "1 up to min_dist, then exp(-(d - min_dist)/spread)" on 300 points
 * of [0, 3·spread] (scipy's curve_fit). This is the same fit by Levenberg–Marquardt.
 */
export function findAbParams(spread: number, minDist: number): { a: number; b: number } {
  if (!(spread > 0) || !Number.isFinite(spread)) throw new RangeError(`spread must be a positive number, got ${spread}`);
  if (!(minDist >= 0) || !Number.isFinite(minDist)) throw new RangeError(`min_dist must be ≥ 0, got ${minDist}`);
  const m = 300;
  const xs = new Float64Array(m);
  const ys = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const x = (3 * spread * i) / (m - 1);
    xs[i] = x;
    ys[i] = x < minDist ? 1 : Math.exp(-(x - minDist) / spread);
  }
  const cost = (a: number, b: number): number => {
    let s = 0;
    for (let i = 0; i < m; i++) {
      const r = 1 / (1 + a * Math.pow(xs[i], 2 * b)) - ys[i];
      s += r * r;
    }
    return s;
  };
  let a = 1;
  let b = 1;
  let lambda = 1e-3;
  let c = cost(a, b);
  for (let iter = 0; iter < 500; iter++) {
    // Normal equations JᵀJ δ = -Jᵀr for the two parameters.
    let jaa = 0,
      jab = 0,
      jbb = 0,
      ga = 0,
      gb = 0;
    for (let i = 0; i < m; i++) {
      const x = xs[i];
      if (x === 0) continue; // f(0) = 1 for any a, b: no gradient
      const p = Math.pow(x, 2 * b);
      const f = 1 / (1 + a * p);
      const r = f - ys[i];
      const dfda = -p * f * f;
      const dfdb = -a * p * 2 * Math.log(x) * f * f;
      jaa += dfda * dfda;
      jab += dfda * dfdb;
      jbb += dfdb * dfdb;
      ga += dfda * r;
      gb += dfdb * r;
    }
    let improved = false;
    for (let tries = 0; tries < 30; tries++) {
      const haa = jaa * (1 + lambda);
      const hbb = jbb * (1 + lambda);
      const det = haa * hbb - jab * jab;
      if (!(Math.abs(det) > 0)) {
        lambda *= 10;
        continue;
      }
      const da = -(hbb * ga - jab * gb) / det;
      const db = -(haa * gb - jab * ga) / det;
      const na = a + da;
      const nb = b + db;
      const nc = na > 0 ? cost(na, nb) : Infinity;
      if (nc < c) {
        const rel = (c - nc) / Math.max(c, 1e-300);
        a = na;
        b = nb;
        c = nc;
        lambda = Math.max(lambda / 10, 1e-12);
        improved = true;
        if (rel < 1e-15 && Math.abs(da) < 1e-12 && Math.abs(db) < 1e-12) return { a, b };
        break;
      }
      lambda *= 10;
    }
    if (!improved) break;
  }
  return { a, b };
}
