/**
 * The labeling pairs of scripts/clustering-fixtures.py, draw for draw (same mulberry32, same
 * recipe), so test/fixtures/clustering-sklearn.json needs to store only each recipe and
 * scikit-learn's numbers.
 */
import { mulberry32 } from '../../../src/core/util/random';

export interface PairRecipe {
  name: string;
  seed: number;
  n: number;
  R: number;
  C: number;
  keep: number;
  giant: number;
}

export function labelingPair(c: PairRecipe): { labels: Int32Array; clusters: Int32Array } {
  const r = mulberry32(c.seed);
  const labels = new Int32Array(c.n);
  const clusters = new Int32Array(c.n);
  for (let i = 0; i < c.n; i++) {
    let label: number;
    if (i < c.R) label = i;
    else if (r() < c.giant) label = 0;
    else label = Math.floor(r() * c.R);
    labels[i] = label;
    clusters[i] = r() < c.keep ? label % c.C : Math.floor(r() * c.C);
  }
  return { labels, clusters };
}
