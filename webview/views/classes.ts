import { scaleLinear, max as d3max } from 'd3';
import { h, fill, svg, fmt } from '../dom';
import type { ClassesContext } from './context';
import type { ClassRow } from '../../src/protocol';

type Key = 'name' | 'size' | 'meanDistToCentroid' | 'p90Radius' | 'nearestDistance' | 'precisionAt1' | 'mapAtR' | 'sampledQueries';

const COLUMNS: { key: Key; label: string; title: string; numeric: boolean }[] = [
  { key: 'name', label: 'Class', title: 'class name', numeric: false },
  { key: 'size', label: 'Size', title: 'items in the class', numeric: true },
  { key: 'meanDistToCentroid', label: 'Spread', title: 'mean distance to the class centroid', numeric: true },
  { key: 'p90Radius', label: 'p90 r', title: '90th percentile of the distance to the centroid', numeric: true },
  { key: 'nearestDistance', label: 'Nearest (D)', title: 'nearest other class and its minimum item-to-item distance D', numeric: true },
  { key: 'precisionAt1', label: 'P@1', title: 'precision@1 of the class’s queries', numeric: true },
  { key: 'mapAtR', label: 'MAP@R', title: 'map@r of the class’s queries', numeric: true },
];

/** Shown only when the metrics come from a query sample: how many of the class's queries were ranked. */
const SAMPLED_COLUMN: (typeof COLUMNS)[number] = {
  key: 'sampledQueries',
  label: 'Sampled',
  title: 'queries of this class ranked in the metrics sample; P@1 and MAP@R are their means',
  numeric: true,
};

/** Worst first: low retrieval scores, small separation and large spread sort to the top by default. */
const WORST_ASCENDING: Record<Key, boolean> = {
  name: true,
  size: true,
  meanDistToCentroid: false,
  p90Radius: false,
  nearestDistance: true,
  precisionAt1: true,
  mapAtR: true,
  sampledQueries: true,
};

export class ClassesView {
  readonly el = h('section', { class: 'view classes', 'aria-label': 'Per-class geometry and metrics' });
  private sortKey: Key = 'mapAtR';
  private ascending = true;
  private limit = 200;
  /**
   * The sorted column sticks between the class-name column and the right edge (sticky left and
   * right), so it needs the name column's width, which only layout knows (and which is 0 while the
   * tab is hidden): watched, and handed to CSS as --lens-name-col.
   */
  private readonly nameWidth = new ResizeObserver((entries) => {
    for (const e of entries)
      (e.target.closest('table') as HTMLElement | null)?.style.setProperty('--lens-name-col', `${(e.target as HTMLElement).offsetWidth}px`);
  });

  constructor(private app: ClassesContext) {}

  private sorted(rows: ClassRow[]): ClassRow[] {
    const k = this.sortKey;
    const dir = this.ascending ? 1 : -1;
    return [...rows].sort((a, b) => {
      const va = a[k],
        vb = b[k];
      const c = typeof va === 'string' ? va.localeCompare(String(vb)) : (va as number) - (vb as number);
      return c * dir || a.classIndex - b.classIndex;
    });
  }

  update(): void {
    const { app } = this;
    const rows = app.data.classes;
    if (!rows) {
      fill(this.el, h('div', { class: 'empty' }, h('p', {}, 'Per-class metrics appear when the retrieval stage finishes.')));
      return;
    }
    const sorted = this.sorted(rows);
    const names = app.data.items?.classNames ?? [];
    const sampled = rows.some((r) => r.sampledQueries !== undefined);
    const columns = sampled ? [...COLUMNS, SAMPLED_COLUMN] : COLUMNS;
    const head = h(
      'tr',
      {},
      ...columns.map((c) => {
        const active = c.key === this.sortKey;
        return h(
          'th',
          {
            scope: 'col',
            class: cellClass(c.numeric ? 'num' : '', active, c.key),
            'aria-sort': active ? (this.ascending ? 'ascending' : 'descending') : 'none',
            title: c.title,
          },
          h(
            'button',
            { type: 'button', class: 'sort', onclick: () => this.sortBy(c.key) },
            c.label,
            active ? (this.ascending ? ' ▲' : ' ▼') : '',
          ),
        );
      }),
    );
    // The sorted column sticks to the right edge of a table too wide for the side bar (the class name to the left), so what the rows are ordered by never scrolls out of view.
    const td = (key: Key, cls: string, ...content: (Node | string | null)[]) =>
      h('td', { class: cellClass(cls, key === this.sortKey, key) }, ...content);
    const body = sorted.slice(0, this.limit).map((r) =>
      h(
        'tr',
        {
          class: app.state.isolatedClass === r.classIndex ? 'isolated' : '',
          'data-class': r.classIndex,
          tabindex: 0,
          title: `Click to isolate ${r.name} on the map`,
          onclick: () => app.isolate(app.state.isolatedClass === r.classIndex ? null : r.classIndex),
          onkeydown: (ev: KeyboardEvent) => {
            if (ev.key === 'Enter' || ev.key === ' ') {
              ev.preventDefault();
              app.isolate(app.state.isolatedClass === r.classIndex ? null : r.classIndex);
            }
          },
        },
        td('name', 'name', h('span', { class: 'swatch', style: `background:${app.palette[r.classIndex]}` }), r.name),
        td('size', 'num', r.size.toLocaleString('en-US')),
        td('meanDistToCentroid', 'num', fmt(r.meanDistToCentroid)),
        td('p90Radius', 'num', fmt(r.p90Radius)),
        h(
          'td',
          {
            class: cellClass('num nearest', this.sortKey === 'nearestDistance', 'nearestDistance'),
            title: r.nearestClass >= 0 ? `${names[r.nearestClass]}: D = ${fmt(r.nearestDistance, 4)}` : '',
          },
          r.nearestClass >= 0 ? (names[r.nearestClass] ?? String(r.nearestClass)) : '—',
          r.nearestClass >= 0 ? h('span', { class: 'muted' }, ` ${fmt(r.nearestDistance)}`) : null,
        ),
        td('precisionAt1', 'num', bar(r.precisionAt1)),
        td('mapAtR', 'num', bar(r.mapAtR)),
        sampled ? td('sampledQueries', 'num sampled', (r.sampledQueries ?? 0).toLocaleString('en-US')) : null,
      ),
    );
    const more =
      sorted.length > this.limit
        ? h(
            'button',
            {
              type: 'button',
              class: 'link',
              onclick: () => {
                this.limit += 200;
                this.update();
              },
            },
            `Show ${Math.min(200, sorted.length - this.limit)} more of ${sorted.length - this.limit}`,
          )
        : null;
    this.nameWidth.disconnect();
    this.nameWidth.observe(head.firstElementChild!);
    fill(
      this.el,
      h(
        'div',
        { class: 'view-controls' },
        h(
          'span',
          { class: 'muted' },
          `${rows.length} classes · sorted by ${columns.find((c) => c.key === this.sortKey)?.label ?? this.sortKey}, ${this.ascending === WORST_ASCENDING[this.sortKey] ? 'worst first' : 'best first'} · click a row to isolate it`,
        ),
      ),
      this.chart(sorted.slice(0, 24)),
      h('div', { class: 'table-wrap' }, h('table', { class: 'class-table' }, h('thead', {}, head), h('tbody', {}, ...body))),
      more,
    );
  }

  private sortBy(key: Key): void {
    if (key === this.sortKey) this.ascending = !this.ascending;
    else {
      this.sortKey = key;
      this.ascending = WORST_ASCENDING[key];
    }
    this.update();
  }

  /**
   * Spread against separation per class: a class whose p90 radius reaches past half the distance
   * to its nearest class overlaps it, which is where retrieval errors come from.
   */
  private chart(rows: ClassRow[]): SVGSVGElement {
    const W = 380,
      rowH = 14,
      top = 18,
      left = 110;
    const H = top + rows.length * rowH + 6;
    const x = scaleLinear()
      .domain([0, d3max(rows, (r) => Math.max(r.p90Radius, Number.isFinite(r.nearestDistance) ? r.nearestDistance : 0)) || 1])
      .range([left, W - 10])
      .nice();
    const s = svg('svg', {
      class: 'chart',
      viewBox: `0 0 ${W} ${H}`,
      role: 'img',
      'aria-label': 'Spread (bar: mean distance to centroid, whisker: p90 radius) against the distance to the nearest class (diamond)',
    });
    s.append(svg('text', { x: left, y: 11, class: 'chart-legend' }, '▬ spread   ┄ p90   ◆ nearest class D'));
    rows.forEach((r, i) => {
      const y = top + i * rowH;
      const g = svg('g', { class: 'chart-row' });
      g.append(
        svg(
          'text',
          { x: left - 6, y: y + 10, 'text-anchor': 'end', class: 'chart-label' },
          r.name.length > 16 ? `${r.name.slice(0, 15)}…` : r.name,
        ),
        svg('rect', {
          x: left,
          y: y + 3,
          width: Math.max(0, x(r.meanDistToCentroid) - left),
          height: 8,
          rx: 1.5,
          fill: this.app.palette[r.classIndex],
        }),
        svg('line', { x1: x(r.meanDistToCentroid), x2: x(r.p90Radius), y1: y + 7, y2: y + 7, class: 'chart-whisker' }),
      );
      if (r.nearestClass >= 0 && Number.isFinite(r.nearestDistance)) {
        const cx = x(r.nearestDistance);
        g.append(svg('path', { d: `M${cx},${y + 2}L${cx + 4},${y + 7}L${cx},${y + 12}L${cx - 4},${y + 7}Z`, class: 'chart-nearest' }));
      }
      s.append(g);
    });
    return s;
  }
}

/** A cell's classes: the sorted column's cells are 'sorted' (sticky right), except the class name, already sticky left. */
function cellClass(base: string, sorted: boolean, key: Key): string {
  return [base, sorted && key !== 'name' ? 'sorted' : ''].filter(Boolean).join(' ');
}

function bar(v: number): HTMLElement {
  const w = Number.isFinite(v) ? Math.max(0, Math.min(1, v)) * 100 : 0;
  return h(
    'span',
    { class: 'cell-bar' },
    h('span', { class: 'cell-bar-track' }, h('span', { class: 'cell-bar-fill', style: `width:${w}%` })),
    h('span', { class: 'cell-bar-value' }, fmt(v)),
  );
}
