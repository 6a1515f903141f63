import { h } from '../dom';
import { classCounts, classOn, type ClassFilter } from './classFilter';

/** What the legend reads and calls: the classes and their colours, the filter, and the three actions. */
export interface LegendContext {
  readonly palette: readonly string[];
  /** The items' labels and class names, or null while they have not arrived. */
  classes(): { labels: ArrayLike<number>; classNames: readonly string[] } | null;
  filter(): ClassFilter;
  toggleClass(c: number): void;
  isolate(c: number | null): void;
  showAllClasses(): void;
}

export interface LegendOptions {
  /** The group's accessible name ("Classes on the map", "Classes on both maps"). */
  label: string;
  /** Appended to "Isolate <class>" where the isolation reaches further than one map. */
  isolateWhere?: string;
}

const PAGE = 300;

/** Class legend: click a class to toggle it (toggled-off classes are greyed, not hidden); "only" isolates it. */
export class Legend {
  readonly el: HTMLElement;
  private list = h('ul', { class: 'legend-list' });
  private shown = PAGE;
  private counts: { labels: ArrayLike<number>; counts: number[] } | null = null;

  constructor(
    private ctx: LegendContext,
    private opts: LegendOptions,
  ) {
    this.el = h(
      'div',
      { class: 'legend', role: 'group', 'aria-label': opts.label },
      h(
        'div',
        { class: 'legend-head' },
        h('span', { class: 'legend-title' }, 'Classes'),
        h('button', { class: 'link', type: 'button', onclick: () => ctx.showAllClasses(), 'aria-label': 'Show all classes' }, 'all'),
      ),
      this.list,
    );
  }

  update(): void {
    const classes = this.ctx.classes();
    if (!classes) {
      this.list.replaceChildren(h('li', { class: 'muted' }, 'Waiting for items…'));
      return;
    }
    const { labels, classNames } = classes;
    // Counting is O(items): redo it only when the items change, not on every toggle.
    if (this.counts?.labels !== labels) this.counts = { labels, counts: classCounts(labels, classNames.length) };
    const counts = this.counts.counts;
    const f = this.ctx.filter();
    const rows = classNames.slice(0, this.shown).map((name, c) => {
      const on = classOn(f, c);
      const isolated = f.isolatedClass === c;
      return h(
        'li',
        { class: `legend-row${on ? '' : ' off'}${isolated ? ' isolated' : ''}`, 'data-class': c },
        h(
          'button',
          {
            class: 'legend-toggle',
            type: 'button',
            role: 'switch',
            'aria-checked': on ? 'true' : 'false',
            title: `${name}: ${counts[c]} items — click to ${on ? 'grey out' : 'show'}`,
            onclick: () => this.ctx.toggleClass(c),
          },
          h('span', { class: 'swatch', style: `background:${this.ctx.palette[c]}` }),
          h('span', { class: 'legend-name' }, name),
          h('span', { class: 'legend-count' }, counts[c].toLocaleString('en-US')),
        ),
        h(
          'button',
          {
            class: 'legend-only',
            type: 'button',
            'aria-label': isolated ? `Stop isolating ${name}` : `Isolate ${name}${this.opts.isolateWhere ?? ''}`,
            'aria-pressed': isolated ? 'true' : 'false',
            onclick: () => this.ctx.isolate(isolated ? null : c),
          },
          isolated ? 'all' : 'only',
        ),
      );
    });
    const rest = classNames.length - this.shown;
    if (rest > 0) {
      rows.push(
        h(
          'li',
          {},
          h(
            'button',
            {
              class: 'link',
              type: 'button',
              onclick: () => {
                this.shown += PAGE;
                this.update();
              },
            },
            `${rest} more classes…`,
          ),
        ),
      );
    }
    this.list.replaceChildren(...rows);
  }
}
