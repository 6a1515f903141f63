import { color as d3color, schemeTableau10, interpolateSinebow, hsl } from 'd3';

/** RGBA 0–255. */
export type Rgba = [number, number, number, number];

/**
 * Class colours: Tableau10 for up to ten classes (distinct for colour-blind viewers),
 * golden-ratio hue steps beyond that so neighbouring class indices never look alike.
 */
export function classPalette(n: number): string[] {
  if (n <= schemeTableau10.length) return schemeTableau10.slice(0, n);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const c = hsl(interpolateSinebow((i * 0.618033988749895) % 1));
    // Alternate lightness a little so hues that land close still differ.
    c.l = 0.45 + (i % 3) * 0.08;
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
  const kind = el.classList.contains('vscode-high-contrast') || el.classList.contains('vscode-high-contrast-light')
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
