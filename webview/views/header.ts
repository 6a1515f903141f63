import { h, fill, fmt, fmtMs, baseName } from '../dom';
import { chip } from '../shared/chip';
import type { InspectionData } from '../../src/protocol';

/** Header: the retrieval metrics at a glance, then what was inspected and how long each stage took. */
export class Header {
  readonly el = h('header', { class: 'lens-header' });
  /** The "details" toggle stays as the user left it while stages re-render the header. */
  private detailsOpen = false;

  /** `exportMenu` builds the header's Export menu (the app knows what there is to export). */
  constructor(
    private app: { readonly data: InspectionData },
    private exportMenu: () => HTMLElement,
  ) {}

  update(): void {
    const { data } = this.app;
    const m = data.metrics;
    const tiles: HTMLElement[] = [];
    // A sampled run shows each estimate with its 95% CI: "0.812 ± 0.008".
    const ci = (key: string) => m?.sampled?.ci95[key];
    const tile = (label: string, value: number | undefined, title: string, ci95?: number) =>
      tiles.push(
        h(
          'div',
          {
            class: 'metric',
            title: ci95 === undefined ? title : `${title}; ± is the 95% confidence interval of the sampled estimate`,
            'data-metric': label,
          },
          h('div', { class: 'metric-value' }, ci95 === undefined ? fmt(value) : `${fmt(value)} ± ${fmt(ci95)}`),
          h('div', { class: 'metric-label' }, label),
        ),
      );
    if (m) {
      for (const r of m.recallAtK)
        tile(`R@${r.k}`, r.value, `recall@${r.k}: fraction of queries with a same-class item among the top ${r.k}`, ci(`recall@${r.k}`));
      tile('MAP@R', m.mapAtR, 'map@r (Musgrave et al. 2020): mean average precision over the top R, R = same-class items', ci('map@r'));
      tile('R-Prec', m.rPrecision, 'r_precision: correct fraction of the top R', ci('r_precision'));
      tile('P@1', m.precisionAt1, 'precision@1', ci('precision@1'));
      if (m.nmi !== undefined) tile('NMI', m.nmi, 'normalised mutual information of k-means clusters with the labels');
    } else {
      tiles.push(
        h('div', { class: 'metric pending' }, h('div', { class: 'metric-value' }, '…'), h('div', { class: 'metric-label' }, 'metrics')),
      );
    }

    const items = data.items;
    const meta: (HTMLElement | string)[] = [];
    const add = (label: string, value: string, title?: string) => meta.push(chip(label, value, title));
    add('checkpoint', baseName(data.source.checkpoint), data.source.checkpoint);
    add('dataset', baseName(data.source.dataset) || data.source.dataset, data.source.dataset);
    if (items) {
      add('items', items.n.toLocaleString('en-US'));
      add('classes', items.classNames.length.toLocaleString('en-US'));
    }
    if (data.backend) add('backend', data.backend);
    if (data.distance) add('distance', data.distance === 'cosine' ? 'cosine (L2 on normalised)' : 'euclidean');
    if (m?.sampled) {
      const s = m.sampled;
      add(
        'sampled',
        `${s.queries.toLocaleString('en-US')} of ${s.of.toLocaleString('en-US')} queries`,
        `metrics from a seeded sample of queries (seed ${s.seed}), each ranked exactly against the whole gallery — ${s.method}`,
      );
    }
    if (m && m.excludedQueries > 0) add('excluded', String(m.excludedQueries), 'queries whose class has no other item');

    const extras: HTMLElement[] = [];
    const skipped = data.skipped ?? [];
    if (skipped.length) {
      extras.push(
        h(
          'details',
          { class: 'skipped' },
          h('summary', {}, `${skipped.length} skipped file${skipped.length === 1 ? '' : 's'}`),
          h('ul', {}, ...skipped.slice(0, 200).map((s) => h('li', {}, h('code', {}, s.path), ` — ${s.reason}`))),
        ),
      );
    }
    const timings = data.timings ?? [];
    if (timings.length) {
      const total = timings.reduce((a, t) => a + t.ms, 0);
      extras.push(
        h(
          'span',
          { class: 'timings', title: 'Time per stage' },
          ...timings.map((t) => h('span', { class: 'timing' }, `${t.stage} ${fmtMs(t.ms)}`)),
          h('span', { class: 'timing total' }, `total ${fmtMs(total)}`),
        ),
      );
    }
    // Notes that change or qualify the numbers stay in view; routine ones (which runtime ran,
    // what came from a cache) wait behind "details". The engine decides which is which.
    for (const note of data.notes ?? []) extras.push(h('span', { class: 'note' }, note));
    const details = data.details ?? [];
    if (details.length) {
      const toggle = h(
        'details',
        {
          class: 'run-details',
          open: this.detailsOpen,
          ontoggle: () => {
            this.detailsOpen = toggle.open;
          },
        },
        h('summary', { title: 'Routine remarks on how this run went; none of them changes the numbers' }, `details (${details.length})`),
        h('ul', {}, ...details.map((d) => h('li', { class: 'detail' }, d))),
      );
      extras.push(toggle);
    }

    fill(
      this.el,
      h(
        'div',
        { class: 'header-top' },
        h(
          'div',
          { class: 'title-block' },
          h('h1', { class: 'title', title: data.source.checkpoint }, data.title),
          h('div', { class: 'meta' }, ...meta),
        ),
        h('div', { class: 'metrics', role: 'group', 'aria-label': 'Retrieval metrics' }, ...tiles),
        this.exportMenu(),
      ),
      extras.length ? h('div', { class: 'header-extra' }, ...extras) : null,
    );
  }
}
