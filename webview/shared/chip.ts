import { h } from '../dom';

/** A "label value" chip of a header's meta line (what was inspected, compared or trained); `title` is its tooltip. */
export function chip(label: string, value: string, title = value, cls = ''): HTMLElement {
  return h('span', { class: `chip ${cls}`.trim(), title }, h('span', { class: 'chip-label' }, label), value);
}
