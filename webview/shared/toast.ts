import { fill, h } from '../dom';

/** An error the user should see, until dismissed (role=alert: screen readers announce it). */
export class Toast {
  readonly el = h('div', { class: 'toast', role: 'alert', hidden: true });

  show(message: string): void {
    fill(
      this.el,
      h('span', {}, message),
      h(
        'button',
        {
          type: 'button',
          class: 'pill-x',
          'aria-label': 'Dismiss',
          onclick: () => {
            this.el.hidden = true;
          },
        },
        '×',
      ),
    );
    this.el.hidden = false;
  }
}
