import { h, fmt, baseName } from '../dom';
import type { NeighboursContext, QueryState } from './context';

/** Top-K retrievals for a clicked point or a dropped image, in the original embedding space. */
export class NeighboursView {
  readonly el = h('section', { class: 'view neighbours', 'aria-label': 'Neighbours' });
  private fileInput = h('input', {
    type: 'file',
    accept: 'image/*',
    class: 'visually-hidden',
    id: 'lens-pick-image',
    'aria-label': 'Pick an image to query',
  });

  constructor(private app: NeighboursContext) {
    this.fileInput.addEventListener('change', () => {
      const f = this.fileInput.files?.[0];
      if (f) void this.app.queryFile(f);
      this.fileInput.value = '';
    });
    this.el.addEventListener('dragover', (ev) => {
      ev.preventDefault();
      this.el.classList.add('dragging');
    });
    this.el.addEventListener('dragleave', () => this.el.classList.remove('dragging'));
    // The drop itself is handled once for the whole document (onDroppedFile); this only clears the outline.
    this.el.addEventListener('drop', () => this.el.classList.remove('dragging'));
  }

  update(): void {
    const { app } = this;
    const q = app.query;
    const maxK = app.data.neighbours?.k ?? 100;
    const kInput = h('input', {
      type: 'number',
      min: 1,
      max: app.host.mode === 'report' ? maxK : 1000,
      value: app.state.k,
      id: 'lens-k',
      class: 'k-input',
      onchange: (ev: Event) => app.setK(Number((ev.target as HTMLInputElement).value)),
    });
    const controls = h(
      'div',
      { class: 'view-controls' },
      h('label', { for: 'lens-k' }, 'K'),
      kInput,
      app.host.canEmbedImages
        ? h('button', { type: 'button', class: 'button secondary', onclick: () => this.fileInput.click() }, 'Query an image…')
        : null,
      this.fileInput,
    );
    const body: (HTMLElement | null)[] = [];
    if (!q) {
      body.push(
        h(
          'div',
          { class: 'empty' },
          h('p', {}, 'Click a point on the map to see what the model retrieves for it.'),
          app.host.canEmbedImages
            ? h('p', { class: 'muted' }, 'Or drop any image file here: it is embedded on the spot.')
            : h('p', { class: 'muted' }, 'Neighbours come from the top-K precomputed for every item of this report.'),
        ),
      );
    } else {
      body.push(this.queryCard(q));
      if (q.error) body.push(h('div', { class: 'error', role: 'alert' }, q.error));
      else if (q.pending) body.push(h('div', { class: 'muted' }, 'Retrieving…'));
      else if (q.result) body.push(this.results(q));
    }
    this.el.replaceChildren(controls, ...body.filter((x): x is HTMLElement => x !== null));
  }

  private queryCard(q: QueryState): HTMLElement {
    const items = this.app.data.items;
    let title = '';
    let sub = '';
    let thumb: string | undefined;
    let cls: number | undefined;
    if (q.kind === 'item' && items) {
      cls = items.labels[q.index];
      title = items.classNames[cls] ?? '';
      sub = items.paths[q.index];
      thumb = items.thumbnails?.[q.index];
    } else if (q.kind === 'image') {
      title = q.name;
      sub = 'dropped image';
      thumb = q.objectUrl;
      cls = q.result?.queryLabel;
    }
    const r = q.result;
    let precision = '';
    if (r && cls !== undefined && items) {
      const k = r.indices.length;
      let hits = 0;
      for (const i of r.indices) if (items.labels[i] === cls) hits++;
      precision = `precision@${k} ${fmt(k ? hits / k : NaN)}`;
    }
    return h(
      'div',
      { class: 'query-card' },
      thumb
        ? h('img', { class: 'thumb large', src: thumb, alt: `query ${title}`, width: 72, height: 72 })
        : h('div', { class: 'thumb large placeholder', style: cls !== undefined ? `background:${this.app.palette[cls]}` : '' }),
      h(
        'div',
        { class: 'query-text' },
        h('div', { class: 'query-label' }, 'Query'),
        h(
          'div',
          { class: 'query-title' },
          cls !== undefined ? h('span', { class: 'swatch', style: `background:${this.app.palette[cls]}` }) : null,
          title,
        ),
        h('div', { class: 'query-path', title: sub }, sub),
        precision ? h('div', { class: 'precision', 'data-precision': precision }, precision) : null,
        q.kind === 'item' && this.app.host.mode !== 'report'
          ? h('button', { type: 'button', class: 'link', onclick: () => this.app.host.openItem(q.index) }, 'Open image')
          : null,
      ),
    );
  }

  private results(q: QueryState): HTMLElement {
    const { app } = this;
    const items = app.data.items!;
    const r = q.result!;
    const qcls = q.kind === 'item' ? items.labels[q.index] : r.queryLabel;
    const rows = Array.from(r.indices, (idx, j) => {
      const cls = items.labels[idx];
      const hit = qcls === undefined ? null : cls === qcls;
      const thumb = items.thumbnails?.[idx];
      return h(
        'li',
        {
          class: `result${hit === null ? '' : hit ? ' hit' : ' miss'}`,
          'data-index': idx,
          'data-hit': hit === null ? 'unknown' : hit ? 'hit' : 'miss',
          tabindex: 0,
          onmouseenter: () => app.setHot(idx),
          onmouseleave: () => app.setHot(null),
          onfocus: () => app.setHot(idx),
          onblur: () => app.setHot(null),
          onkeydown: (ev: KeyboardEvent) => {
            if (ev.key === 'Enter') app.pick(idx);
          },
          ondblclick: () => app.pick(idx),
          title: `${items.paths[idx]}\nEnter or double-click: query this item`,
        },
        h('span', { class: 'rank' }, String(j + 1)),
        thumb
          ? h('img', { class: 'thumb', src: thumb, alt: '', width: 40, height: 40, loading: 'lazy' })
          : h('span', { class: 'thumb placeholder', style: `background:${app.palette[cls]}` }),
        h(
          'span',
          { class: 'result-text' },
          h(
            'span',
            { class: 'result-class' },
            h('span', { class: 'swatch', style: `background:${app.palette[cls]}` }),
            items.classNames[cls] ?? '',
          ),
          h('span', { class: 'result-path' }, baseName(items.paths[idx] ?? '')),
        ),
        h('span', { class: 'distance', title: 'distance in the embedding space' }, fmt(r.distances[j], 4)),
        h('span', { class: 'mark', 'aria-label': hit === null ? 'no label' : hit ? 'hit' : 'miss' }, hit === null ? '' : hit ? '✓' : '✗'),
      );
    });
    return h('ol', { class: 'results', 'aria-label': `Top ${r.indices.length} neighbours` }, ...rows);
  }
}

/** A file dropped anywhere on `target` (the whole page: the drop target is the panel, not one box) goes to `onFile`. */
export function onDroppedFile(target: Document | HTMLElement, onFile: (f: File) => void): void {
  target.addEventListener('dragover', (ev) => {
    if ((ev as DragEvent).dataTransfer?.types.includes('Files')) ev.preventDefault();
  });
  target.addEventListener('drop', (ev) => {
    const f = (ev as DragEvent).dataTransfer?.files?.[0];
    if (!f) return;
    ev.preventDefault();
    onFile(f);
  });
}
