import { color as d3color, interpolateSinebow, hsl } from 'd3';

/** RGBA 0–255. */
export type Rgba = [number, number, number, number];

/**
 * Class colours, as data. The first seven are Tableau10's (its yellow and pink darkened a little),
 * the rest were chosen Glasbey-style — each the candidate farthest (CIEDE2000) from all before it —
 * among colours that stand out from the map in both themes: contrast ≥ 2.6:1 against a dark
 * editor (#1e1e1e) and ≥ 2.2:1 against a light one (#ffffff), and chroma ≥ 28 so no class reads as
 * the grey of greyed-out points. Any two of the 32 differ by ΔE00 ≥ 13.5 (Tableau10 itself has
 * pairs below 10, and its yellow, pink, teal and greys fade on white).
 */
export const CLASS_COLORS: readonly string[] = [
  '#4e79a7',
  '#f28e2c',
  '#e15759',
  '#59a14f',
  '#d0a715',
  '#af7aa1',
  '#ff8995',
  '#785a2d',
  '#9600e1',
  '#00b4b4',
  '#007869',
  '#b41e69',
  '#4b6900',
  '#a5a5ff',
  '#00b4ff',
  '#ff00ff',
  '#b43c00',
  '#a5875a',
  '#785a96',
  '#ff2d96',
  '#9669f0',
  '#878700',
  '#ff4b00',
  '#964b4b',
  '#0f4bff',
  '#3cc396',
  '#a5b44b',
  '#0f96b4',
  '#b46900',
  '#d28769',
  '#f087e1',
  '#0f783c',
];

/**
 * n class colours: CLASS_COLORS, then (beyond 32 classes, where no palette keeps every pair
 * apart) golden-ratio hue steps at alternating mid lightness, so neighbouring indices still differ.
 */
export function classPalette(n: number): string[] {
  const out = CLASS_COLORS.slice(0, n);
  for (let i = out.length; i < n; i++) {
    const c = hsl(interpolateSinebow((i * 0.618033988749895) % 1));
    c.l = 0.42 + (i % 3) * 0.06;
    out.push(c.formatHex());
  }
  return out;
}

export function toRgba(css: string, alpha = 1): Rgba {
  const c = d3color(css)?.rgb();
  if (!c) return [128, 128, 128, Math.round(alpha * 255)];
  return [Math.round(c.r), Math.round(c.g), Math.round(c.b), Math.round(alpha * c.opacity * 255)];
}

/** Colours the canvases need, read from the theme's CSS variables (they change with the VS Code theme). */
export interface ThemeColors {
  background: Rgba;
  foreground: string;
  muted: Rgba;
  highlight: string;
  selection: string;
  kind: 'light' | 'dark' | 'high-contrast';
}

export function readTheme(el: HTMLElement = document.body): ThemeColors {
  const cs = getComputedStyle(el);
  const v = (name: string, fallback: string) => cs.getPropertyValue(name).trim() || fallback;
  const kind =
    el.classList.contains('vscode-high-contrast') || el.classList.contains('vscode-high-contrast-light')
      ? 'high-contrast'
      : el.classList.contains('vscode-light')
        ? 'light'
        : 'dark';
  return {
    background: toRgba(v('--lens-map-bg', '#1e1e1e')),
    foreground: v('--lens-fg', '#cccccc'),
    muted: toRgba(v('--lens-point-muted', '#808080'), kind === 'light' ? 0.28 : 0.3),
    highlight: v('--lens-highlight', '#ffcc00'),
    selection: v('--lens-accent', '#3794ff'),
    kind,
  };
}
