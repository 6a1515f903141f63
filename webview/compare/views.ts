/**
 * The compare panel's side views: headline, per-class and EET deltas, and the items whose
 * retrieval changed most with their top-K under both models. Each value cell carries the exact
 * number in data-value (the tests and copy-paste read it; the text is rounded).
 */
import type { ClassDelta, CompareData, MetricDelta } from '../../src/protocol';
import { baseName, fill, fmt, h } from '../dom';
import { CLASS_KEYS, jaccardBins, itemPaths } from './export';

/** Which way is better for a key: retrieval metrics up, loss terms down, geometry has no direction. */
export type Better = 'up' | 'down' | 'none';

export function deltaCell(d: number, better: Better): HTMLTableCellElement {
  const sign = !Number.isFinite(d) || d === 0 ? 'zero' : d > 0 === (better !== 'down') ? 'up' : 'down';
  const cls = better === 'none' ? 'delta' : `delta ${sign}`;
  const text = Number.isFinite(d) ? `${d > 0 ? '+' : d < 0 ? '−' : '±'}${fmt(Math.abs(d), 4)}` : '—';
  return h('td', { class: cls, 'data-value': String(d) }, text);
}

const valueCell = (v: number) => h('td', { 'data-value': String(v) }, fmt(v, 4));

export function metricTable(rows: MetricDelta[], better: (key: string) => Better, caption: string, id: string): HTMLTableElement {
  return h(
    'table',
    { class: 'cmp-table', id, 'aria-label': caption },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { class: 'label', scope: 'col' }, h('span', {}, caption)),
        h('th', { scope: 'col' }, h('span', {}, 'A')),
        h('th', { scope: 'col' }, h('span', {}, 'B')),
        h('th', { scope: 'col' }, h('span', {}, 'B − A')),
      ),
    ),
    h(
      'tbody',
      {},
      ...rows.map((d) =>
        h(
          'tr',
          { 'data-key': d.key },
          h('td', { class: 'label' }, d.key),
          valueCell(d.a),
          valueCell(d.b),
          deltaCell(d.delta, better(d.key)),
        ),
      ),
    ),
  );
}

export const headlineBetter = (): Better => 'up';
export const eetBetter = (): Better => 'down';
const classBetter = (key: string): Better =>
  key === 'precision@1' || key === 'map@r' ? 'up' : key === 'nearest_class_distance' ? 'none' : 'none';

const CLASS_LABELS: Record<(typeof CLASS_KEYS)[number], string> = {
  'precision@1': 'ΔP@1',
  'map@r': 'ΔMAP@R',
  mean_dist_to_centroid: 'Δspread',
  p90_radius: 'Δp90',
  nearest_class_distance: 'Δnearest',
};

export type ClassSort = { key: 'order' | 'name' | 'size' | (typeof CLASS_KEYS)[number]; dir: 'desc' | 'asc' };

/** Rows in the requested order; a metric column sorts by the size of its change (biggest first). */
export function sortClasses(rows: ClassDelta[], sort: ClassSort): ClassDelta[] {
  if (sort.key === 'order') return rows;
  const val = (c: ClassDelta): number | string => {
    if (sort.key === 'name') return c.name;
    if (sort.key === 'size') return c.size;
    const d = c.metrics.find((m) => m.key === sort.key)?.delta;
    return d === undefined || !Number.isFinite(d) ? -1 : Math.abs(d);
  };
  const out = rows.slice();
  out.sort((x, y) => {
    const a = val(x),
      b = val(y);
    const c = typeof a === 'string' ? a.localeCompare(b as string) : (a as number) - (b as number);
    return (sort.dir === 'asc' ? c : -c) || x.classIndex - y.classIndex;
  });
  return out;
}

export interface ClassTableHooks {
  sort: ClassSort;
  isolated: number | null;
  onSort(sort: ClassSort): void;
  onIsolate(classIndex: number | null): void;
  palette: readonly string[];
}

export function classTable(cmp: CompareData, hooks: ClassTableHooks): HTMLTableElement {
  const head = (key: ClassSort['key'], label: string, title: string, cls = '') => {
    const active = hooks.sort.key === key;
    const next: ClassSort = { key, dir: active && hooks.sort.dir === 'desc' ? 'asc' : 'desc' };
    return h(
      'th',
      {
        class: cls,
        scope: 'col',
        'aria-sort': active ? (hooks.sort.dir === 'desc' ? 'descending' : 'ascending') : 'none',
        'data-sort': key,
      },
      h('button', { type: 'button', title, onclick: () => hooks.onSort(next) }, label),
    );
  };
  const rows = sortClasses(cmp.classes, hooks.sort);
  return h(
    'table',
    { class: 'cmp-table', id: 'class-deltas', 'aria-label': 'Per-class deltas' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        head('name', 'class', 'Sort by class name', 'label'),
        head('size', 'n', 'Sort by class size'),
        ...CLASS_KEYS.map((k) =>
          head(k, CLASS_LABELS[k], `${k}: B − A (each model in its own distance); click to sort by the size of the change`),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      ...rows.map((c) => {
        const by = new Map(c.metrics.map((m) => [m.key, m]));
        return h(
          'tr',
          {
            class: `clickable${hooks.isolated === c.classIndex ? ' isolated' : ''}`,
            'data-class': c.classIndex,
            title: `${c.name}: click to isolate on both maps`,
            onclick: () => hooks.onIsolate(hooks.isolated === c.classIndex ? null : c.classIndex),
          },
          h('td', { class: 'label' }, h('span', { class: 'swatch', style: `background:${hooks.palette[c.classIndex] ?? 'gray'}` }), c.name),
          h('td', {}, c.size),
          ...CLASS_KEYS.map((k) => {
            const m = by.get(k);
            const cell = deltaCell(m?.delta ?? NaN, classBetter(k));
            cell.dataset.key = k;
            if (m) cell.title = `${k}: A ${fmt(m.a, 4)} → B ${fmt(m.b, 4)}`;
            return cell;
          }),
        );
      }),
    ),
  );
}

export function jaccardSummary(cmp: CompareData): HTMLElement {
  const bins = jaccardBins(cmp.jaccard);
  const max = Math.max(1, ...bins);
  return h(
    'div',
    { class: 'cmp-jaccard' },
    h(
      'div',
      { class: 'cmp-summary' },
      h(
        'span',
        { id: 'mean-jaccard', 'data-value': String(cmp.meanJaccard) },
        `mean Jaccard@${cmp.k}: `,
        h('strong', {}, fmt(cmp.meanJaccard, 3)),
      ),
      h(
        'span',
        { class: 'muted', title: 'Items whose K nearest neighbours are the same set under both models' },
        `unchanged: ${countAtLeast(cmp.jaccard, 1).toLocaleString('en-US')} of ${cmp.jaccard.length.toLocaleString('en-US')}`,
      ),
      Number.isFinite(cmp.alignment.rmsd)
        ? h(
            'span',
            { class: 'muted', title: 'Procrustes alignment of B’s map onto A’s (RMS distance in A’s layout units)' },
            `map alignment rmsd ${fmt(cmp.alignment.rmsd, 3)}`,
          )
        : null,
    ),
    h(
      'div',
      {
        class: 'cmp-hist',
        role: 'img',
        'aria-label': `Histogram of per-item Jaccard@${cmp.k}: ${bins.join(', ')} items in ten bins from 0 to 1`,
      },
      ...bins.map((c, i) =>
        h('span', {
          class: 'cmp-hist-bar',
          title: `${(i / 10).toFixed(1)}–${((i + 1) / 10).toFixed(1)}: ${c} items`,
          style: `height:${((100 * c) / max).toFixed(1)}%`,
        }),
      ),
    ),
    h('div', { class: 'cmp-hist-axis' }, h('span', {}, '0 (all neighbours changed)'), h('span', {}, '1 (same neighbours)')),
  );
}

function countAtLeast(j: Float32Array, t: number): number {
  let n = 0;
  for (const v of j) if (v >= t) n++;
  return n;
}

export interface ItemHooks {
  palette: readonly string[];
  focused: number | null;
  onPick(index: number): void;
  onHot(index: number | null): void;
}

/** One item: its path and class, Jaccard and precision under A → B, then both top-K rows. */
export function itemRow(
  cmp: CompareData,
  index: number,
  topA: ArrayLike<number>,
  topB: ArrayLike<number>,
  figures: { jaccard: number; precisionA: number; precisionB: number },
  hooks: ItemHooks,
  list: string,
): HTMLLIElement {
  const items = cmp.a.items!;
  const paths = itemPaths(cmp);
  const thumbs = items.thumbnails;
  const label = items.labels[index];
  const setA = new Set(Array.from(topA));
  const setB = new Set(Array.from(topB));
  const chip = (j: number, other: Set<number>) => {
    const hit = items.labels[j] === label;
    const t = thumbs?.[j];
    return h(
      'span',
      {
        class: `nb${hit ? ' hit' : ' miss'}${other.has(j) ? ' shared' : ''}`,
        'data-index': j,
        title: `#${j} ${items.classNames[items.labels[j]] ?? ''} — ${paths[j] ?? ''}${hit ? '' : ' (other class)'}${other.has(j) ? ' · in both top-K' : ''}`,
        style: t ? '' : `background:${hooks.palette[items.labels[j]] ?? 'gray'}`,
      },
      t ? h('img', { src: t, alt: '' }) : '',
    );
  };
  const delta = figures.precisionB - figures.precisionA;
  const t = thumbs?.[index];
  return h(
    'li',
    {
      class: `change${hooks.focused === index ? ' focused' : ''}`,
      'data-index': index,
      'data-list': list,
      tabindex: 0,
      onclick: () => hooks.onPick(index),
      onkeydown: (ev: KeyboardEvent) => {
        if (ev.key === 'Enter' || ev.key === ' ') {
          ev.preventDefault();
          hooks.onPick(index);
        }
      },
      onmouseenter: () => hooks.onHot(index),
      onmouseleave: () => hooks.onHot(null),
    },
    h(
      'div',
      { class: 'change-head' },
      t
        ? h('img', { class: 'thumb', src: t, alt: '', width: 36, height: 36 })
        : h('span', { class: 'swatch', style: `background:${hooks.palette[label] ?? 'gray'}` }),
      h(
        'div',
        { class: 'change-text' },
        h(
          'div',
          {},
          h('span', { class: 'swatch', style: `background:${hooks.palette[label] ?? 'gray'}` }),
          `${items.classNames[label] ?? label} `,
          h('span', { class: 'muted small' }, `#${index}`),
        ),
        h('div', { class: 'change-path', title: paths[index] ?? '' }, baseName(paths[index] ?? '')),
      ),
      h(
        'div',
        { class: 'change-figures' },
        h(
          'div',
          {
            title: `Jaccard overlap of its ${cmp.k} nearest neighbours under A and B`,
            'data-value': String(figures.jaccard),
            class: 'jaccard',
          },
          `J ${fmt(figures.jaccard, 2)}`,
        ),
        h(
          'div',
          { title: `same-class fraction of its top ${cmp.k}: A → B` },
          `P ${fmt(figures.precisionA, 2)}→${fmt(figures.precisionB, 2)} `,
          h(
            'span',
            { class: `delta ${delta > 0 ? 'up' : delta < 0 ? 'down' : 'zero'}` },
            `${delta > 0 ? '+' : delta < 0 ? '−' : '±'}${fmt(Math.abs(delta), 2)}`,
          ),
        ),
      ),
    ),
    h(
      'div',
      { class: 'topk' },
      h('span', { class: 'topk-side' }, 'A'),
      h('div', { class: 'topk-row', 'data-side': 'a' }, ...Array.from(topA, (j) => chip(j, setB))),
      h('span', { class: 'topk-side' }, 'B'),
      h('div', { class: 'topk-row', 'data-side': 'b' }, ...Array.from(topB, (j) => chip(j, setA))),
    ),
  );
}

export function changeList(cmp: CompareData, list: 'worse' | 'better', hooks: ItemHooks): HTMLElement {
  const rows = cmp[list];
  const ul = h('ol', {
    class: 'change-list',
    id: `${list}-list`,
    'aria-label': list === 'worse' ? 'Items whose retrieval got most worse' : 'Items whose retrieval got most better',
  });
  if (!rows.length) fill(ul, h('li', { class: 'muted' }, 'None.'));
  else fill(ul, ...rows.map((c) => itemRow(cmp, c.index, c.topA, c.topB, c, hooks, list)));
  return ul;
}
