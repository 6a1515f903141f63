import { scaleLinear, max as d3max } from 'd3';
import { h, svg, fmt, pct } from '../dom';
import type { ClassesContext } from './context';
import type { EetBreakdown, EetTermName, Histogram } from '../../src/protocol';

const TERMS: { key: EetTermName; symbol: string; what: string }[] = [
  { key: 'mc', symbol: 'L_MC', what: 'Triplet margin: how far the hardest positive is from being α closer than the hardest negative.' },
  { key: 'ec', symbol: 'L_EC', what: 'Equidistant: |d(a,n) − d(p,n)| — a true positive pair sits equally far from any third sample.' },
  { key: 'm', symbol: 'L_M', what: 'Class separation: mean exp(−D) over class pairs, D their minimum item-to-item distance.' },
  { key: 'e', symbol: 'L_E', what: 'Equidistribution: how unequal each class’s nearest-class distance is to its neighbour’s own.' },
  { key: 'edc', symbol: 'L_EDC', what: 'L_M + L_E: classes pushed far apart and spread evenly over the space.' },
  { key: 'total', symbol: 'L_EET', what: 'λ_mc·L_MC + λ_ec·L_EC + λ_edc·L_EDC — what a fine-tune step minimises.' },
];

/** The EET loss of the current embeddings, term by term, with the geometry each term stands for. */
export class EetView {
  readonly el = h('section', { class: 'view eet', 'aria-label': 'EET loss breakdown' });

  constructor(private app: ClassesContext) {}

  update(): void {
    const e = this.app.data.eet;
    if (!e) {
      this.el.replaceChildren(h('div', { class: 'empty' }, h('p', {}, 'The EET breakdown appears when its stage finishes.')));
      return;
    }
    const s = e.settings;
    const weight: Partial<Record<EetTermName, number>> = { mc: s.lambdaMc, ec: s.lambdaEc, edc: s.lambdaEdc };
    const cards = TERMS.map((t) => {
      const v = e.terms[t.key];
      return h(
        'div',
        { class: `term${t.key === 'total' ? ' total' : ''}`, 'data-term': t.key },
        h(
          'div',
          { class: 'term-head' },
          h('span', { class: 'term-symbol' }, t.symbol),
          weight[t.key] !== undefined ? h('span', { class: 'term-weight', title: 'weight λ' }, `λ ${fmt(weight[t.key], 2)}`) : null,
        ),
        h(
          'div',
          { class: 'term-value' },
          h('span', { class: 'term-mean' }, fmt(v.mean, 4)),
          h('span', { class: 'term-std' }, ` ± ${fmt(v.std, 4)}`),
        ),
        h('div', { class: 'term-what' }, t.what),
      );
    });
    this.el.replaceChildren(
      h(
        'div',
        { class: 'settings', 'aria-label': 'settings used' },
        chip('margin α', fmt(s.margin, 2)),
        chip('λ_mc', fmt(s.lambdaMc, 2)),
        chip('λ_ec', fmt(s.lambdaEc, 2)),
        chip('λ_edc', fmt(s.lambdaEdc, 2)),
        chip('batches', `${s.batches} × ${s.p}P×${s.k}K`),
        chip('normalize', s.normalize ? 'yes' : 'no'),
        chip('seed', String(s.seed)),
      ),
      h('div', { class: 'terms' }, ...cards),
      h(
        'div',
        { class: 'violation' },
        h('div', { class: 'violation-value', 'data-violation': String(e.violationRate) }, pct(e.violationRate)),
        h(
          'div',
          { class: 'violation-text' },
          `of ${e.anchors.toLocaleString('en-US')} batch-hard triplets violate the margin: d(a,p) + α > d(a,n).`,
        ),
      ),
      h('h3', {}, 'Distances of the hardest pairs'),
      this.histogram(e),
      h('h3', {}, 'Per-class attribution'),
      this.attribution(e),
    );
  }

  private histogram(e: EetBreakdown): SVGSVGElement {
    const W = 380,
      H = 160,
      m = { l: 14, r: 14, t: 32, b: 24 };
    const lo = Math.min(e.dap.edges[0], e.dan.edges[0]);
    const hi = Math.max(e.dap.edges[e.dap.edges.length - 1], e.dan.edges[e.dan.edges.length - 1]);
    const x = scaleLinear()
      .domain([lo, hi])
      .range([m.l, W - m.r])
      .nice();
    const frac = (hg: Histogram) => {
      const tot = hg.counts.reduce((a, b) => a + b, 0) || 1;
      return hg.counts.map((c) => c / tot);
    };
    const fa = frac(e.dap),
      fn = frac(e.dan);
    const y = scaleLinear()
      .domain([0, Math.max(d3max(fa) ?? 0, d3max(fn) ?? 0) || 1])
      .range([H - m.b, m.t]);
    const s = svg('svg', {
      class: 'chart histogram',
      viewBox: `0 0 ${W} ${H}`,
      role: 'img',
      'aria-label': 'Histograms of d(a,p) and d(a,n) with the margin',
    });
    const area = (hg: Histogram, f: number[], cls: string) => {
      let d = `M${x(hg.edges[0])},${y(0)}`;
      f.forEach((v, i) => {
        d += `L${x(hg.edges[i])},${y(v)}L${x(hg.edges[i + 1])},${y(v)}`;
      });
      d += `L${x(hg.edges[hg.edges.length - 1])},${y(0)}Z`;
      s.append(svg('path', { d, class: cls }));
    };
    area(e.dap, fa, 'hist-dap');
    area(e.dan, fn, 'hist-dan');
    // The margin as a bracket from the d(a,p) median: a d(a,n) left of its end violates it.
    const med = median(e.dap);
    const mx0 = x(med),
      mx1 = x(med + e.settings.margin);
    s.append(
      svg('line', { x1: mx0, x2: mx0, y1: m.t - 4, y2: H - m.b, class: 'margin-line' }),
      svg('line', { x1: mx1, x2: mx1, y1: m.t - 4, y2: H - m.b, class: 'margin-line' }),
      svg('line', { x1: mx0, x2: mx1, y1: m.t - 4, y2: m.t - 4, class: 'margin-bracket' }),
      svg('text', { x: (mx0 + mx1) / 2, y: m.t - 8, 'text-anchor': 'middle', class: 'chart-label' }, `α = ${fmt(e.settings.margin, 2)}`),
      svg('line', { x1: m.l, x2: W - m.r, y1: H - m.b, y2: H - m.b, class: 'axis' }),
    );
    for (const t of x.ticks(6)) {
      s.append(svg('text', { x: x(t), y: H - m.b + 14, 'text-anchor': 'middle', class: 'chart-label' }, String(+t.toFixed(2))));
    }
    s.append(
      svg('rect', { x: m.l, y: 2, width: 9, height: 9, class: 'hist-dap' }),
      svg('text', { x: m.l + 13, y: 10, class: 'chart-label' }, 'd(a,p) hardest positive'),
      svg('rect', { x: m.l + 130, y: 2, width: 9, height: 9, class: 'hist-dan' }),
      svg('text', { x: m.l + 143, y: 10, class: 'chart-label' }, 'd(a,n) hardest negative'),
    );
    return s;
  }

  private attribution(e: EetBreakdown): HTMLElement {
    const { app } = this;
    const names = app.data.items?.classNames ?? [];
    const rows = [...e.perClass].sort((a, b) => b.mc + b.ec + b.m + b.e - (a.mc + a.ec + a.m + a.e));
    return h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'class-table eet-table' },
        h(
          'thead',
          {},
          h('tr', {}, ...['Class', 'MC', 'EC', 'M', 'E', 'Sum'].map((c, i) => h('th', { scope: 'col', class: i ? 'num' : '' }, c))),
        ),
        h(
          'tbody',
          {},
          ...rows.slice(0, 200).map((r) =>
            h(
              'tr',
              {
                'data-class': r.classIndex,
                tabindex: 0,
                onclick: () => app.isolate(app.state.isolatedClass === r.classIndex ? null : r.classIndex),
                onkeydown: (ev: KeyboardEvent) => {
                  if (ev.key === 'Enter') app.isolate(r.classIndex);
                },
              },
              h(
                'td',
                { class: 'name' },
                h('span', { class: 'swatch', style: `background:${app.palette[r.classIndex]}` }),
                names[r.classIndex] ?? String(r.classIndex),
              ),
              h('td', { class: 'num' }, fmt(r.mc, 4)),
              h('td', { class: 'num' }, fmt(r.ec, 4)),
              h('td', { class: 'num' }, fmt(r.m, 4)),
              h('td', { class: 'num' }, fmt(r.e, 4)),
              h('td', { class: 'num strong' }, fmt(r.mc + r.ec + r.m + r.e, 4)),
            ),
          ),
        ),
      ),
    );
  }
}

function chip(label: string, value: string): HTMLElement {
  return h('span', { class: 'chip' }, h('span', { class: 'chip-label' }, label), value);
}

function median(hg: Histogram): number {
  const tot = hg.counts.reduce((a, b) => a + b, 0);
  let acc = 0;
  for (let i = 0; i < hg.counts.length; i++) {
    if (acc + hg.counts[i] >= tot / 2) {
      const f = hg.counts[i] ? (tot / 2 - acc) / hg.counts[i] : 0;
      return hg.edges[i] + f * (hg.edges[i + 1] - hg.edges[i]);
    }
    acc += hg.counts[i];
  }
  return hg.edges[hg.edges.length - 1];
}
