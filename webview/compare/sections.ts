/**
 * The compare panel's tab bodies: the items whose retrieval changed most (and the clicked one),
 * the headline and Jaccard figures, the per-class deltas, the EET deltas.
 */
import type { CompareData } from '../../src/protocol';
import { fill, h } from '../dom';
import type { Side } from './header';
import { changeList, classTable, eetBetter, headlineBetter, itemRow, jaccardSummary, metricTable, type ClassSort } from './views';

export type CompareTab = 'metrics' | 'classes' | 'eet' | 'items';

/** What the sections read and call. */
export interface SectionsContext {
  readonly data: CompareData | null;
  readonly palette: readonly string[];
  readonly focused: number | null;
  isolated(): number | null;
  /** Side's top-K neighbours of item i (K = the comparison's K). */
  topK(side: Side, i: number): Int32Array;
  pick(i: number): void;
  setHot(i: number | null): void;
  isolate(c: number | null): void;
  /** Selects every item whose neighbourhood overlap is at most t. */
  selectChanged(t: number): void;
}

export class CompareSections {
  readonly bodies: Record<CompareTab, HTMLElement> = {
    items: h('div', {}),
    metrics: h('div', {}),
    classes: h('div', {}),
    eet: h('div', {}),
  };
  private classSort: ClassSort = { key: 'order', dir: 'desc' };

  constructor(private ctx: SectionsContext) {
    for (const el of Object.values(this.bodies)) el.className = 'cmp-section';
  }

  renderAll(): void {
    this.renderMetrics();
    this.renderClasses();
    this.renderEet();
    this.renderItems();
  }

  renderMetrics(): void {
    const d = this.ctx.data;
    if (!d) return;
    fill(
      this.bodies.metrics,
      h('h2', {}, 'Headline metrics'),
      metricTable(d.headline, headlineBetter, 'metric', 'headline-deltas'),
      h('h2', {}, `Neighbourhood change (Jaccard@${d.k}, original spaces)`),
      jaccardSummary(d),
    );
  }

  renderEet(): void {
    const d = this.ctx.data;
    if (!d) return;
    fill(
      this.bodies.eet,
      h('h2', {}, 'EET loss terms (lower is better)'),
      d.eet.length ? metricTable(d.eet, eetBetter, 'term', 'eet-deltas') : h('p', { class: 'muted' }, 'One side has no EET breakdown.'),
    );
  }

  renderClasses(): void {
    const d = this.ctx.data;
    if (!d) return;
    fill(
      this.bodies.classes,
      h('h2', {}, 'Per class: B − A (biggest changes first; click a header to sort, a row to isolate)'),
      h(
        'div',
        { class: 'table-wrap' },
        classTable(d, {
          sort: this.classSort,
          isolated: this.ctx.isolated(),
          palette: this.ctx.palette,
          onSort: (s) => {
            this.classSort = s;
            this.renderClasses();
          },
          onIsolate: (c) => this.ctx.isolate(c),
        }),
      ),
    );
  }

  renderItems(): void {
    const { ctx } = this;
    const d = ctx.data;
    if (!d?.a.items) return;
    const hooks = {
      palette: ctx.palette,
      focused: ctx.focused,
      onPick: (i: number) => ctx.pick(i),
      onHot: (i: number | null) => ctx.setHot(i),
    };
    const focus = ctx.focused;
    let focusEl: HTMLElement | null = null;
    if (focus !== null) {
      const topA = ctx.topK('a', focus);
      const topB = ctx.topK('b', focus);
      const labels = d.a.items.labels;
      const prec = (t: Int32Array) => (t.length ? Array.from(t).filter((j) => labels[j] === labels[focus]).length / t.length : NaN);
      focusEl = h(
        'div',
        { id: 'focused-item' },
        h('h2', {}, 'Clicked item'),
        h(
          'ol',
          { class: 'change-list' },
          itemRow(d, focus, topA, topB, { jaccard: d.jaccard[focus], precisionA: prec(topA), precisionB: prec(topB) }, hooks, 'focused'),
        ),
      );
    }
    const threshold = h('input', { type: 'number', min: 0, max: 1, step: 0.05, value: 0.5, 'aria-label': 'Jaccard threshold' });
    fill(
      this.bodies.items,
      focusEl,
      h(
        'div',
        { class: 'cmp-threshold' },
        h(
          'button',
          { type: 'button', class: 'button secondary', id: 'select-changed', onclick: () => ctx.selectChanged(Number(threshold.value)) },
          'Select items with Jaccard ≤',
        ),
        threshold,
      ),
      h('h2', {}, `Retrieval got most worse (top-${d.k} precision A → B)`),
      changeList(d, 'worse', hooks),
      h('h2', {}, 'Retrieval got most better'),
      changeList(d, 'better', hooks),
    );
  }
}
