import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The golden cases of ../shared/fixtures (SPEC.md): computed independently in float64 PyTorch.
 * CI lays shared/ beside the clone; EMBEDDING_LENS_FIXTURES overrides the location.
 */
export const fixturesDir = process.env.EMBEDDING_LENS_FIXTURES ?? resolve(__dirname, '../../../../shared/fixtures');

export interface EetFixture {
  name: string;
  embeddings: number[][];
  labels: number[];
  options: { margin: number; normalize: boolean; weights: [number, number, number] | number[] };
  expected: {
    mc: number;
    ec: number;
    m: number;
    e: number;
    edc: number;
    total: number;
    anchors: number;
    classes: number;
    grad: number[][];
  };
}

export interface MetricsFixture {
  name: string;
  embeddings: number[][];
  labels: number[];
  normalize: boolean;
  protocol: 'leave-one-out' | 'query-gallery' | string;
  query_mask?: boolean[];
  expected: Record<string, number>;
}

function loadAll<T>(group: string): T[] {
  const dir = join(fixturesDir, group);
  if (!existsSync(dir))
    throw new Error(`Fixture folder ${dir} is missing: shared/ must sit beside the repository (or set EMBEDDING_LENS_FIXTURES)`);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  if (files.length === 0) throw new Error(`No fixtures in ${dir}`);
  return files.map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as T);
}

export const loadEetFixtures = (): EetFixture[] => loadAll<EetFixture>('eet');
export const loadMetricsFixtures = (): MetricsFixture[] => loadAll<MetricsFixture>('metrics');

/** SPEC.md's comparison: |a − b| ≤ tol, absolute or relative to |b|, whichever is looser. */
export function close(actual: number, expected: number, tol: number): boolean {
  const diff = Math.abs(actual - expected);
  return diff <= tol || diff <= tol * Math.abs(expected);
}

export function flatten(rows: number[][]): Float32Array {
  const d = rows[0]?.length ?? 0;
  const out = new Float32Array(rows.length * d);
  rows.forEach((r, i) => out.set(r, i * d));
  return out;
}

/** A fixture's loss options; its weights are written either as [mc, ec, edc] or as {mc, ec, edc}. */
export function eetOptionsOf(f: EetFixture): { normalize: boolean; margin: number; weights: [number, number, number] } {
  const w = f.options.weights as unknown;
  const weights: [number, number, number] = Array.isArray(w)
    ? [w[0], w[1], w[2]]
    : [(w as Record<string, number>).mc, (w as Record<string, number>).ec, (w as Record<string, number>).edc];
  return { normalize: f.options.normalize, margin: f.options.margin, weights };
}
