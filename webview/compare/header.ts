/**
 * The compare panel's header: the deltas at a glance, what A and B are, after a fine-tune which
 * items the numbers are on (with the held-out ↔ all toggle), and the engines' notes; plus the
 * small head over each map.
 */
import type { CompareData, ItemsChoice } from '../../src/protocol';
import { scopeHeadline } from '../../src/core/compare/scope';
import { displayName, distinguishingNames } from '../../src/core/util/displayName';
import { baseName, fill, fmt, h } from '../dom';
import { chip } from '../shared/chip';

export type Side = 'a' | 'b';

/** A's and B's names, lengthened where they would read the same (`cnn.onnx` vs `cnn-eet-1/cnn.onnx`). */
export function sideNames(d: CompareData): { a: string; b: string } {
  const [a, b] = distinguishingNames([d.a.source.checkpoint, d.b.source.checkpoint]);
  return { a, b };
}

/** What the header reads and calls. */
export interface CompareHeaderContext {
  readonly data: CompareData | null;
  /** The items choice asked of the host and not yet answered (the toggle waits, disabled). */
  readonly itemsPending: ItemsChoice | null;
  /** Present where the host can re-score on other items (a panel; a report holds one comparison). */
  readonly askItems: ((items: ItemsChoice) => void) | null;
  exportMenu(): HTMLElement;
}

export class CompareHeader {
  readonly el = h('header', { class: 'lens-header' });
  readonly heads: Record<Side, HTMLElement> = { a: h('div', { class: 'cmp-cell-head' }), b: h('div', { class: 'cmp-cell-head' }) };

  constructor(private ctx: CompareHeaderContext) {}

  update(): void {
    const d = this.ctx.data;
    for (const side of ['a', 'b'] as const) {
      const src = d?.[side].source;
      fill(
        this.heads[side],
        h('span', { class: 'cmp-side-tag' }, side.toUpperCase()),
        src ? h('span', { title: src.checkpoint, class: 'cmp-side-name' }, d ? sideNames(d)[side] : displayName(src.checkpoint)) : '…',
        side === 'b' && d ? h('span', { class: 'muted small' }, 'aligned to A') : null,
      );
    }
    if (!d) {
      fill(
        this.el,
        h('div', { class: 'header-top' }, h('div', { class: 'title-block' }, h('h1', { class: 'title' }, 'Comparing embeddings…'))),
      );
      return;
    }
    const r1 = d.headline.find((m) => m.key === 'recall@1');
    const map = d.headline.find((m) => m.key === 'map@r');
    const tile = (label: string, m: { a: number; b: number; delta: number } | undefined) =>
      m
        ? h(
            'div',
            { class: 'metric', 'data-metric': label, title: `${label}: A ${fmt(m.a, 4)} → B ${fmt(m.b, 4)}` },
            h('div', { class: 'metric-value' }, `${m.delta > 0 ? '+' : m.delta < 0 ? '−' : '±'}${fmt(Math.abs(m.delta), 3)}`),
            h('div', { class: 'metric-label' }, `Δ${label}`),
          )
        : null;
    fill(
      this.el,
      h(
        'div',
        { class: 'header-top' },
        h(
          'div',
          { class: 'title-block' },
          h('h1', { class: 'title' }, d.title),
          h(
            'div',
            { class: 'meta' },
            chip('A', sideNames(d).a, d.a.source.checkpoint),
            chip('B', sideNames(d).b, d.b.source.checkpoint),
            chip('dataset', baseName(d.a.source.dataset) || d.a.source.dataset, d.a.source.dataset),
            chip('items', (d.a.items?.n ?? 0).toLocaleString('en-US')),
            chip('K', String(d.k), 'neighbourhood size of the Jaccard overlap and per-item precision'),
          ),
        ),
        h(
          'div',
          { class: 'metrics', role: 'group', 'aria-label': 'Headline changes' },
          tile('R@1', r1),
          tile('MAP@R', map),
          h(
            'div',
            {
              class: 'metric',
              'data-metric': 'jaccard',
              title: `mean Jaccard overlap of each item's ${d.k} nearest neighbours under A and B`,
            },
            h('div', { class: 'metric-value' }, fmt(d.meanJaccard, 3)),
            h('div', { class: 'metric-label' }, `J@${d.k}`),
          ),
        ),
        this.ctx.exportMenu(),
      ),
      this.scope(d),
      notes(d),
    );
  }

  /**
   * After a fine-tune: which items these numbers are on ("Evaluated on the 2 held-out classes, 120
   * items"), the toggle to every item ("480 of them seen in training") and the small-split warning.
   */
  private scope(d: CompareData): HTMLElement | null {
    const s = d.scope;
    if (!s) return null;
    const { itemsPending, askItems } = this.ctx;
    // A toggle only where it changes something: some items were seen in training, and the held-out
    // ones can be scored on their own (no fallback). A report holds one comparison: no toggle.
    const canToggle = !!askItems && s.heldOutItems < s.totalItems && !s.fallback;
    const ask = canToggle
      ? (items: ItemsChoice) => {
          if (this.ctx.itemsPending || items === s.items) return;
          askItems(items);
        }
      : null;
    // Held-out classes that cannot be scored on their own (fallback) leave only "all items".
    const choice = (items: ItemsChoice, label: string) =>
      h(
        'button',
        {
          type: 'button',
          class: 'tool text',
          id: `cmp-items-${items}`,
          'aria-pressed': s.items === items ? 'true' : 'false',
          disabled: !!itemsPending,
          title:
            items === 'held-out'
              ? 'Score only the classes the fine-tune never trained on'
              : 'Score every item, including the classes the fine-tune trained on',
          onclick: () => ask?.(items),
        },
        label,
      );
    const toggle = ask
      ? h(
          'div',
          { class: 'segmented', role: 'group', id: 'cmp-items-toggle', 'aria-label': 'Items scored' },
          choice('held-out', 'Held-out classes'),
          choice('all', 'All items'),
        )
      : null;
    const pending = itemsPending
      ? h(
          'span',
          { class: 'muted small', id: 'cmp-items-pending' },
          itemsPending === 'all' ? 'Scoring every item…' : 'Scoring the held-out classes…',
        )
      : null;
    const reportHint =
      !askItems && s.items === 'held-out' && s.heldOutItems < s.totalItems
        ? h('span', { class: 'muted small' }, 'every item: embedding-lens compare --items all')
        : null;
    return h(
      'div',
      { class: `cmp-scope${s.items === 'all' ? ' all' : ''}${s.warning ? ' warn' : ''}`, id: 'cmp-scope', 'data-items': s.items },
      h(
        'div',
        { class: 'cmp-scope-row' },
        h('span', { class: 'cmp-scope-line', id: 'cmp-scope-line' }, scopeHeadline(s), s.fallback ? ` — ${s.fallback}` : ''),
        toggle,
        pending,
        reportHint,
      ),
      s.warning
        ? h(
            'p',
            { class: 'cmp-scope-warning', id: 'cmp-scope-warning', role: 'alert' },
            h('span', { class: 'codicon-like', 'aria-hidden': 'true' }, '⚠ '),
            s.warning,
          )
        : null,
    );
  }
}

/** What each side's engine assumed, folded: two sides' notes would push the maps down. */
function notes(d: CompareData): HTMLElement | null {
  const notes = [...(d.notes ?? []), ...(d.a.notes ?? []).map((n) => `A: ${n}`), ...(d.b.notes ?? []).map((n) => `B: ${n}`)];
  if (!notes.length) return null;
  return h(
    'div',
    { class: 'header-extra' },
    h(
      'details',
      { class: 'cmp-notes' },
      h('summary', {}, `${notes.length} note${notes.length === 1 ? '' : 's'} on how A and B were read`),
      h('ul', {}, ...notes.map((n) => h('li', { class: 'note' }, n))),
    ),
  );
}
