/**
 * The discrete choices of the EET loss (SPEC §1): batch-hard positives/negatives per anchor and the
 * closest pair between every two classes. They are made once from distance values and then held
 * fixed, which is exactly "arg-min/arg-max held fixed" for the gradient. Ties go to the lowest index
 * (and the first class in sorted order), the same rule argmin/argmax follow in the reference.
 */
export interface EetChoices {
  /** Rows that have at least one positive and one negative, ascending. */
  anchors: Int32Array;
  /** Hardest (farthest) positive and hardest (closest) negative of each anchor, parallel to `anchors`. */
  positive: Int32Array;
  negative: Int32Array;
  /** Distinct labels in the batch, ascending; class index c below refers to this list. */
  classes: Int32Array;
  /** M×M row-major: D(c,c') and the rows (i from c, j from c') that realise it; diagonal unused. */
  classDist: Float64Array;
  pairI: Int32Array;
  pairJ: Int32Array;
  /** n(c) and n'(c) of L_E, per class (empty when M < 2). */
  nearest: Int32Array;
  nearestOfNearest: Int32Array;
}

/** `dist` is the B×B row-major distance matrix of the batch (any precision). */
export function mineEet(dist: ArrayLike<number>, labels: ArrayLike<number>): EetChoices {
  const b = labels.length;
  const classes = Int32Array.from(new Set(Array.from(labels))).sort();
  const m = classes.length;
  const classOf = new Int32Array(b);
  const index = new Map<number, number>();
  classes.forEach((c, i) => index.set(c, i));
  for (let i = 0; i < b; i++) classOf[i] = index.get(labels[i])!;

  const anchors: number[] = [];
  const positive: number[] = [];
  const negative: number[] = [];
  for (let a = 0; a < b; a++) {
    let p = -1;
    let n = -1;
    let dp = -Infinity;
    let dn = Infinity;
    const row = a * b;
    for (let j = 0; j < b; j++) {
      if (j === a) continue;
      const d = dist[row + j];
      if (labels[j] === labels[a]) {
        if (d > dp) {
          dp = d;
          p = j;
        }
      } else if (d < dn) {
        dn = d;
        n = j;
      }
    }
    if (p >= 0 && n >= 0) {
      anchors.push(a);
      positive.push(p);
      negative.push(n);
    }
  }

  const classDist = new Float64Array(m * m).fill(Infinity);
  const pairI = new Int32Array(m * m).fill(-1);
  const pairJ = new Int32Array(m * m).fill(-1);
  // Visit each unordered pair once and mirror it, so D(c,c') = D(c',c) even when the distance
  // matrix is not bit-for-bit symmetric (float32 Gram products need not be).
  for (let i = 0; i < b; i++) {
    const ci = classOf[i];
    for (let j = i + 1; j < b; j++) {
      const cj = classOf[j];
      if (ci === cj) continue;
      const d = dist[i * b + j];
      const k = ci * m + cj;
      if (d < classDist[k]) {
        const t = cj * m + ci;
        classDist[k] = classDist[t] = d;
        pairI[k] = pairJ[t] = i;
        pairJ[k] = pairI[t] = j;
      }
    }
  }

  const nearest = new Int32Array(m >= 2 ? m : 0);
  const nearestOfNearest = new Int32Array(m >= 2 ? m : 0);
  if (m >= 2) {
    const argminExcept = (c: number, skip: number): number => {
      let best = -1;
      for (let o = 0; o < m; o++) {
        if (o === skip) continue;
        if (best < 0 || classDist[c * m + o] < classDist[c * m + best]) best = o;
      }
      return best;
    };
    for (let c = 0; c < m; c++) {
      nearest[c] = argminExcept(c, c);
      // n'(c) is taken over every class but n(c) itself, so it may be c again.
      nearestOfNearest[c] = argminExcept(nearest[c], nearest[c]);
    }
  }
  return {
    anchors: Int32Array.from(anchors),
    positive: Int32Array.from(positive),
    negative: Int32Array.from(negative),
    classes,
    classDist,
    pairI,
    pairJ,
    nearest,
    nearestOfNearest,
  };
}
