import { h } from '../dom';
import type { App } from '../app';

/** Class legend: click a class to toggle it (toggled-off classes are greyed, not hidden); "only" isolates it. */
export class Legend {
  readonly el = h('div', { class: 'legend', role: 'group', 'aria-label': 'Classes on the map' });
  private list = h('ul', { class: 'legend-list' });
  private shown = 300;

  constructor(private app: App) {
    this.el.append(
      h('div', { class: 'legend-head' },
        h('span', { class: 'legend-title' }, 'Classes'),
        h('button', { class: 'link', type: 'button', onclick: () => app.showAllClasses(), 'aria-label': 'Show all classes' }, 'all'),
      ),
      this.list,
    );
  }

  update(): void {
    const { data, palette, state } = this.app;
    const items = data.items;
    if (!items) {
      this.list.replaceChildren(h('li', { class: 'muted' }, 'Waiting for items…'));
      return;
    }
    const counts = new Array<number>(items.classNames.length).fill(0);
    for (let i = 0; i < items.n; i++) counts[items.labels[i]]++;
    const hidden = new Set(state.hiddenClasses);
    const rows = items.classNames.slice(0, this.shown).map((name, c) => {
      const on = !hidden.has(c) && (state.isolatedClass === null || state.isolatedClass === c);
      return h('li', { class: `legend-row${on ? '' : ' off'}${state.isolatedClass === c ? ' isolated' : ''}`, 'data-class': c },
        h('button', {
          class: 'legend-toggle',
          type: 'button',
          role: 'switch',
          'aria-checked': on ? 'true' : 'false',
          title: `${name}: ${counts[c]} items — click to ${on ? 'grey out' : 'show'}`,
          onclick: () => this.app.toggleClass(c),
        },
          h('span', { class: 'swatch', style: `background:${palette[c]}` }),
          h('span', { class: 'legend-name' }, name),
          h('span', { class: 'legend-count' }, counts[c].toLocaleString('en-US')),
        ),
        h('button', {
          class: 'legend-only',
          type: 'button',
          'aria-label': state.isolatedClass === c ? `Stop isolating ${name}` : `Isolate ${name}`,
          'aria-pressed': state.isolatedClass === c ? 'true' : 'false',
          onclick: () => this.app.isolate(state.isolatedClass === c ? null : c),
        }, state.isolatedClass === c ? 'all' : 'only'),
      );
    });
    const rest = items.classNames.length - this.shown;
    if (rest > 0) {
      rows.push(h('li', {}, h('button', { class: 'link', type: 'button', onclick: () => { this.shown += 300; this.update(); } }, `${rest} more classes…`)));
    }
    this.list.replaceChildren(...rows);
  }
}
