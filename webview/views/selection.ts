import { h, fill } from '../dom';
import type { SelectionContext } from './context';
import { distinguishingNames } from '../../src/core/util/displayName';

/** What a box/lasso selection or a search holds, by class; the items themselves below. */
export class SelectionView {
  readonly el = h('section', { class: 'view selection', 'aria-label': 'Selection' });

  constructor(private app: SelectionContext) {}

  update(): void {
    const { app } = this;
    const items = app.data.items;
    const sel = app.state.selection;
    if (!items || sel.length === 0) {
      fill(
        this.el,
        h(
          'div',
          { class: 'empty' },
          h('p', {}, 'Select points with the Box or Lasso tool, or search by class name or path.'),
          h('p', { class: 'muted' }, 'Unselected points stay on the map, greyed.'),
        ),
      );
      return;
    }
    const byClass = new Map<number, number>();
    for (const i of sel) byClass.set(items.labels[i], (byClass.get(items.labels[i]) ?? 0) + 1);
    const classes = [...byClass.entries()].sort((a, b) => b[1] - a[1]);
    const maxCount = classes[0]?.[1] ?? 1;
    // Two "000.png" of different folders must not read the same: each item by the shortest path that tells it apart.
    const shown = sel.slice(0, 100);
    const names = distinguishingNames(shown.map((i) => items.paths[i]));
    fill(
      this.el,
      h(
        'div',
        { class: 'view-controls' },
        h('strong', { 'data-selection-count': sel.length }, `${sel.length.toLocaleString('en-US')} selected`),
        h('span', { class: 'muted' }, ` in ${classes.length} class${classes.length === 1 ? '' : 'es'}`),
        h('button', { type: 'button', class: 'button secondary', onclick: () => app.setSelection(null) }, 'Clear'),
      ),
      h(
        'ul',
        { class: 'sel-classes' },
        ...classes
          .slice(0, 50)
          .map(([c, n]) =>
            h(
              'li',
              {},
              h('span', { class: 'sel-name' }, h('span', { class: 'swatch', style: `background:${app.palette[c]}` }), items.classNames[c]),
              h('span', { class: 'sel-bar' }, h('span', { style: `width:${(n / maxCount) * 100}%;background:${app.palette[c]}` })),
              h('span', { class: 'sel-count' }, `${n} (${((n / sel.length) * 100).toFixed(0)}%)`),
            ),
          ),
      ),
      h('h3', {}, 'Items'),
      h(
        'ul',
        { class: 'sel-items' },
        ...shown.map((i, k) =>
          h(
            'li',
            {
              tabindex: 0,
              title: items.paths[i],
              onclick: () => app.pick(i),
              onkeydown: (ev: KeyboardEvent) => {
                if (ev.key === 'Enter') app.pick(i);
              },
              onmouseenter: () => app.setHot(i),
              onmouseleave: () => app.setHot(null),
            },
            items.thumbnails?.[i]
              ? h('img', { class: 'thumb', src: items.thumbnails[i], alt: '', width: 32, height: 32, loading: 'lazy' })
              : h('span', { class: 'thumb placeholder', style: `background:${app.palette[items.labels[i]]}` }),
            h(
              'span',
              { class: 'sel-item-text' },
              h('span', { class: 'sel-item-path' }, names[k]),
              h(
                'span',
                { class: 'sel-item-class' },
                h('span', { class: 'swatch', style: `background:${app.palette[items.labels[i]]}` }),
                items.classNames[items.labels[i]] ?? `class ${items.labels[i]}`,
              ),
            ),
          ),
        ),
      ),
      sel.length > 100 ? h('p', { class: 'muted' }, `…and ${sel.length - 100} more`) : null,
    );
  }
}
