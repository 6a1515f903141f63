// Panel entry point: picks the host (VS Code postMessage, or data inlined in an HTML report),
// mounts the app, and exposes a small read-only hook the browser tests and the bench read
// (WebGL pixels cannot be counted through the DOM).
import { App } from './app';
import { hasVsCodeApi, InlineHost, VsCodeHost, type Host } from './host';
import type { RendererChoice } from './map/renderer';
import { startCompareIfAny } from './compare/main';

function rendererChoice(): RendererChoice {
  const v = document.body.dataset.renderer;
  return v === 'webgl2' || v === 'canvas2d' ? v : 'auto';
}

function main(): void {
  // A comparison (compare panel, or a report of one) gets its own view.
  if (startCompareIfAny(rendererChoice())) return;
  let host: Host;
  const t0 = performance.now();
  try {
    host = hasVsCodeApi() ? new VsCodeHost() : InlineHost.fromPage();
  } catch (e) {
    document.body.textContent = (e as Error).message;
    return;
  }
  // In a report this is the time to parse the inlined data (base64 typed arrays).
  const decodeMs = performance.now() - t0;
  const app = new App(host, { renderer: rendererChoice() });
  document.body.append(app.root);
  app.start();
  const map = app.map;
  (window as unknown as { lens: unknown }).lens = {
    app,
    stats: () => ({
      ...map.stats,
      initAt: app.initAt,
      initWorkMs: app.initWorkMs,
      decodeMs,
      items: app.data.items?.n ?? 0,
      classes: app.data.items?.classNames.length ?? 0,
      legendRows: document.querySelectorAll('.legend-row').length,
    }),
    hitTest: (x: number, y: number) => map.hitTest(x, y),
    screenOf: (i: number) => map.screenOf(i),
    setTransform: (t: { x: number; y: number; k: number }) => map.setTransform(t),
    renderNow: () => map.render(),
    finish: () => map.finish(),
    hoverIndexReady: () => map.hoverIndexReady,
  };
  document.body.dataset.lens = 'ready';
}

main();
