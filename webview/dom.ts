/** Tiny DOM helpers: the panel builds its markup in code so every element has its label beside it. */

type Attrs = Record<string, string | number | boolean | undefined | null | ((ev: never) => void)>;
type Child = Node | string | number | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2).toLowerCase(), value as EventListener);
    } else if (key === 'class') {
      el.className = String(value);
    } else if (key === 'style') {
      // Through CSSOM: the CSP forbids style attributes in markup, not style set from script.
      el.style.cssText = String(value);
    } else if (value === true) {
      el.setAttribute(key, '');
    } else {
      el.setAttribute(key, String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(el: Element, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
}

export function clear(el: Element): void {
  el.replaceChildren();
}

const SVG_NS = 'http://www.w3.org/2000/svg';
export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number> = {},
  ...children: (SVGElement | string)[]
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'style') el.style.cssText = String(v);
    else el.setAttribute(k, String(v));
  }
  for (const c of children) el.append(c);
  return el;
}

/** Metric values: 3 significant decimals for fractions, compact for big counts. */
export function fmt(v: number | undefined | null, digits = 3): string {
  if (v === undefined || v === null || Number.isNaN(v)) return '—';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (Number.isInteger(v) && Math.abs(v) >= 1000) return v.toLocaleString('en-US');
  return v.toFixed(digits);
}

export function fmtMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m} min ${Math.round((ms - m * 60_000) / 1000)} s`;
}

export function pct(v: number | undefined): string {
  return v === undefined || Number.isNaN(v) ? '—' : `${(v * 100).toFixed(1)}%`;
}

/** The last path segment, for compact labels; the full path stays in title/tooltip. */
export function baseName(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i >= 0 ? path.slice(i + 1) : path;
}

/**
 * A path laid out to wrap only after its separators: each segment ("datasets/") is an unbreakable
 * box (class "path-seg", CSS inline-block) with a <wbr> between them, so a narrow box wraps between
 * folders, never at a hyphen or mid-name — a segment breaks only when it alone is wider than the
 * box. The text (and a copy of it) is the path unchanged.
 */
export function breakablePath(path: string): Node[] {
  return path.split(/(?<=[\\/])/).flatMap((part, i) => {
    const seg = h('span', { class: 'path-seg' }, part);
    return i === 0 ? [seg] : [document.createElement('wbr'), seg];
  });
}

/** replaceChildren that skips null/false, for conditional parts of a view. */
export function fill(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}
