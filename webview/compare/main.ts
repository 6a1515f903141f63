/**
 * Starts the compare view instead of the inspection panel when the page holds a comparison: the
 * page says so (body data-view="compare", set by the compare panel and by the comparison report).
 * Exposes window.lens for the browser tests (WebGL pixels cannot be read through the DOM).
 */
import { decodeCompare } from '../../src/protocol';
import { hasVsCodeApi, InlineHost, VsCodeHost, type Host } from '../host';
import type { RendererChoice } from '../map/renderer';
import { CompareApp } from './app';

export function startCompareIfAny(renderer: RendererChoice): boolean {
  if (document.body.dataset.view !== 'compare') return false;
  let host: Host;
  if (hasVsCodeApi()) host = new VsCodeHost();
  else {
    const text = document.getElementById('lens-data')?.textContent;
    if (!text) return false;
    host = new InlineHost(decodeCompare(text) as never, 'report');
  }
  const app = new CompareApp(host, { renderer });
  document.body.append(app.root);
  app.start();
  const { a, b } = app.maps;
  (window as unknown as { lens: unknown }).lens = {
    compare: app,
    stats: () => ({
      a: a.stats,
      b: b.stats,
      items: app.data?.a.items?.n ?? 0,
      legendRows: document.querySelectorAll('.legend-row').length,
    }),
    screenOf: (side: 'a' | 'b', i: number) => app.maps[side].screenOf(i),
    hitTest: (side: 'a' | 'b', x: number, y: number) => app.maps[side].hitTest(x, y),
    setTransform: (t: { x: number; y: number; k: number }) => a.setTransform(t),
    hoverIndexReady: () => a.hoverIndexReady && b.hoverIndexReady,
  };
  document.body.dataset.lens = 'ready';
  return true;
}
