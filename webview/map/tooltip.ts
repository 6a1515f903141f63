import { breakablePath, h } from '../dom';

/** What the tooltip shows of item i. */
export interface TooltipItem {
  index: number;
  className: string;
  color: string;
  path: string;
  thumb?: string;
}

/** The card beside the pointer over a point: thumbnail, class, path, index; kept inside the map. */
export class Tooltip {
  readonly el = h('div', { class: 'map-tooltip', role: 'tooltip', hidden: true });

  /** Shows `item` next to (x, y), flipping left or clamping where the map (width × height) ends. */
  show(item: TooltipItem, [x, y]: [number, number], width: number, height: number): void {
    const tip = this.el;
    tip.replaceChildren(
      ...(item.thumb ? [h('img', { class: 'thumb', src: item.thumb, alt: '', width: 64, height: 64 })] : []),
      h(
        'div',
        { class: 'tip-text' },
        h('div', { class: 'tip-class' }, h('span', { class: 'swatch', style: `background:${item.color}` }), item.className),
        h('div', { class: 'tip-path' }, ...breakablePath(item.path)),
        h('div', { class: 'tip-index' }, `item #${item.index}`),
      ),
    );
    tip.hidden = false;
    const w = tip.offsetWidth;
    const hgt = tip.offsetHeight;
    const left = x + 14 + w > width ? x - 14 - w : x + 14;
    const top = Math.min(Math.max(4, y - hgt / 2), height - hgt - 4);
    tip.style.transform = `translate(${Math.max(4, left)}px, ${top}px)`;
  }

  hide(): void {
    this.el.hidden = true;
  }
}
