import { readTheme, type ThemeColors } from '../colors';

/**
 * Calls `apply` with the new colours whenever VS Code switches theme (it rewrites the body's class
 * and style) or the report's theme script sets one. The maps draw on canvases, which CSS cannot recolour.
 */
export function watchTheme(apply: (theme: ThemeColors) => void): MutationObserver {
  const o = new MutationObserver(() => apply(readTheme()));
  o.observe(document.body, { attributes: true, attributeFilter: ['class', 'style'] });
  return o;
}
