import { h } from '../dom';

/** One entry of the Export menu: a label and the work that saves it (a rejection is shown, not thrown). */
export interface ExportItem {
  label: string;
  run(): Promise<unknown>;
}

/** The header's Export menu (a <details>, so it works without script-driven popups); closes on choice. */
export function exportMenu(items: readonly ExportItem[], onError: (message: string) => void): HTMLElement {
  const item = ({ label, run }: ExportItem) =>
    h(
      'button',
      {
        type: 'button',
        role: 'menuitem',
        class: 'menu-item',
        onclick: (ev: Event) => {
          (ev.currentTarget as HTMLElement).closest('details')?.removeAttribute('open');
          run().catch((e: Error) => onError(`Export failed: ${e.message}`));
        },
      },
      label,
    );
  return h(
    'details',
    { class: 'export' },
    h('summary', { class: 'button secondary', 'aria-label': 'Export' }, 'Export'),
    h('div', { class: 'menu', role: 'menu' }, ...items.map(item)),
  );
}
