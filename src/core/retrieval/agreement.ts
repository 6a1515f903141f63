/**
 * NMI and AMI between two labelings of the same items, as scikit-learn computes them
 * (normalized_mutual_info_score / adjusted_mutual_info_score, arithmetic-mean normaliser, exact
 * expected mutual information under the hypergeometric model) — the same formulas, special cases
 * and clamps, so values agree to ~1e-12.
 *
 * Sized for any class count: the contingency table is kept sparse (its non-zeros, found by sorting
 * n pair keys), never R×C dense — 11,316 classes × 11,316 clusters would be a 1 GB table. The
 * expected mutual information is a sum over every (row, column) pair, but each pair's term depends
 * only on the two marginals (aᵢ, bⱼ); grouping equal marginals turns R·C pair terms into
 * (distinct row sizes) × (distinct column sizes) terms, each weighted by its multiplicity. Distinct
 * sizes are at most √(2n) per side, so the work no longer grows with R·C (SOP: 11 × a few dozen).
 */

export interface ClusterAgreement {
  nmi: number;
  ami: number;
}

/** Dense ids 0..size-1 in order of first appearance. */
function denseIds(x: Int32Array): { ids: Int32Array; size: number } {
  const m = new Map<number, number>();
  const ids = new Int32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    let id = m.get(x[i]);
    if (id === undefined) {
      id = m.size;
      m.set(x[i], id);
    }
    ids[i] = id;
  }
  return { ids, size: m.size };
}

/**
 * ln(k!) for k = 0..n by a compensated (Neumaier) running sum: the table's error stays near one
 * rounding of the value (≈1e-10 at n = 10⁶), like scipy's gammaln, instead of growing with √n.
 */
export function logFactorials(n: number): Float64Array {
  const out = new Float64Array(n + 1);
  let sum = 0;
  let comp = 0;
  for (let i = 2; i <= n; i++) {
    const v = Math.log(i);
    const t = sum + v;
    comp += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
    sum = t;
    out[i] = sum + comp;
  }
  return out;
}

/** Sizes (marginals) of a labeling's groups. */
function groupSizes(ids: Int32Array, size: number): Float64Array {
  const out = new Float64Array(size);
  for (let i = 0; i < ids.length; i++) out[ids[i]]++;
  return out;
}

/** scikit-learn's entropy(): −Σ (pᵢ/N)(ln pᵢ − ln N); 0 for a single group. */
function entropy(sizes: Float64Array, n: number): number {
  if (sizes.length === 1) return 0;
  const logN = Math.log(n);
  let h = 0;
  for (let i = 0; i < sizes.length; i++) if (sizes[i] > 0) h -= (sizes[i] / n) * (Math.log(sizes[i]) - logN);
  return h;
}

/** Non-zero cells of the contingency table: row, column and count, by sorting the n pair keys. */
function sparseContingency(a: Int32Array, b: Int32Array, C: number): { row: Int32Array; col: Int32Array; count: Float64Array } {
  const n = a.length;
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = a[i] * C + b[i]; // < n² ≤ 2⁵³ for any n we can hold
  keys.sort();
  let nnz = 0;
  for (let i = 0; i < n; i++) if (i === 0 || keys[i] !== keys[i - 1]) nnz++;
  const row = new Int32Array(nnz);
  const col = new Int32Array(nnz);
  const count = new Float64Array(nnz);
  let z = -1;
  for (let i = 0; i < n; i++) {
    if (i === 0 || keys[i] !== keys[i - 1]) {
      z++;
      row[z] = Math.floor(keys[i] / C);
      col[z] = keys[i] - row[z] * C;
    }
    count[z]++;
  }
  return { row, col, count };
}

/** scikit-learn's mutual_info_score from the non-zeros, including its per-term |x| < eps → 0. */
function mutualInformation(
  t: { row: Int32Array; col: Int32Array; count: Float64Array },
  ra: Float64Array,
  cb: Float64Array,
  n: number,
): number {
  if (ra.length === 1 || cb.length === 1) return 0;
  const logN = Math.log(n);
  let mi = 0;
  for (let z = 0; z < t.count.length; z++) {
    const nij = t.count[z];
    const p = nij / n;
    const term = p * (Math.log(nij) - logN) + p * (-Math.log(ra[t.row[z]] * cb[t.col[z]]) + logN + logN);
    if (Math.abs(term) >= Number.EPSILON) mi += term;
  }
  return Math.max(mi, 0);
}

/** Distinct values of a list of sizes with how often each occurs. */
function sizeHistogram(sizes: Float64Array): { value: number[]; mult: number[] } {
  const m = new Map<number, number>();
  for (let i = 0; i < sizes.length; i++) m.set(sizes[i], (m.get(sizes[i]) ?? 0) + 1);
  const value = [...m.keys()].sort((x, y) => x - y);
  return { value, mult: value.map((v) => m.get(v)!) };
}

/**
 * Exact E[MI] under random labelings with the same marginals (Vinh, Epps & Bailey 2010), the sum
 * scikit-learn's expected_mutual_information computes, with equal marginals grouped (see top).
 */
export function expectedMutualInformation(ra: Float64Array, cb: Float64Array, n: number): number {
  // Any labeling with zero entropy has EMI 0 (scikit-learn's convention).
  if (ra.length === 1 || cb.length === 1) return 0;
  const A = sizeHistogram(ra);
  const B = sizeHistogram(cb);
  const lf = logFactorials(n);
  const logN = Math.log(n);
  let emi = 0;
  for (let x = 0; x < A.value.length; x++) {
    const ai = A.value[x];
    const logA = Math.log(ai);
    for (let y = 0; y < B.value.length; y++) {
      const bj = B.value[y];
      const logB = Math.log(bj);
      const lo = Math.max(1, ai + bj - n);
      const hi = Math.min(ai, bj);
      const fixed = lf[ai] + lf[bj] + lf[n - ai] + lf[n - bj] - lf[n];
      // The hypergeometric pmf is unimodal: past its mode, once ln p < −700 every later term is
      // below 1e-304 (scikit-learn adds them as 0 or denormals), so the sum is complete. With
      // large classes among many items (10⁶ items, 1,000 classes) that cuts ~1,000 terms to ~150.
      const mode = Math.floor(((ai + 1) * (bj + 1)) / (n + 2));
      let term = 0;
      for (let nij = lo; nij <= hi; nij++) {
        const gln = fixed - lf[nij] - lf[ai - nij] - lf[bj - nij] - lf[n - ai - bj + nij];
        if (gln < -700 && nij > mode) break;
        term += (nij / n) * (logN + Math.log(nij) - logA - logB) * Math.exp(gln);
      }
      emi += A.mult[x] * B.mult[y] * term;
    }
  }
  return emi;
}

/** NMI and AMI (arithmetic normaliser) between two labelings of the same items. */
export function clusterAgreement(a: Int32Array, b: Int32Array): ClusterAgreement {
  if (a.length !== b.length) throw new RangeError(`clusterAgreement: ${a.length} vs ${b.length} labels`);
  const n = a.length;
  const A = denseIds(a);
  const B = denseIds(b);
  const R = A.size;
  const C = B.size;
  // Identical trivial partitions agree perfectly (scikit-learn's convention; for R = C = n its
  // AMI also comes out 1, by its ε clamp — said here directly).
  if ((R === 1 && C === 1) || (R === n && C === n) || n === 0) return { nmi: 1, ami: 1 };
  const ra = groupSizes(A.ids, R);
  const cb = groupSizes(B.ids, C);
  const table = sparseContingency(A.ids, B.ids, C);
  const mi = mutualInformation(table, ra, cb, n);
  const ha = entropy(ra, n);
  const hb = entropy(cb, n);
  const mean = (ha + hb) / 2;
  const nmi = mi === 0 ? 0 : mi / mean;
  const emi = expectedMutualInformation(ra, cb, n);
  let denom = mean - emi;
  // EMI can exceed the normaliser by a rounding; keep the sign (as scikit-learn does).
  denom = denom < 0 ? Math.min(denom, -Number.EPSILON) : Math.max(denom, Number.EPSILON);
  return { nmi, ami: (mi - emi) / denom };
}
