/** The map's public types (pointer modes, callbacks, stats for the tests and the bench) and its small helpers. */
export type MapMode = 'pan' | 'box' | 'lasso';

export interface MapCallbacks {
  onPick(index: number): void;
  onSelect(indices: number[] | null): void;
  onHover(index: number | null): void;
  onTransform(t: { x: number; y: number; k: number }): void;
}

export interface MapStats {
  renderer: 'webgl2' | 'canvas2d';
  pointsDrawn: number;
  activePoints: number;
  frames: number;
  lastDrawMs: number;
  firstFrameAt: number | null;
  layout: 'pca' | 'umap' | null;
  animating: boolean;
}

export function emptyStats(renderer: MapStats['renderer']): MapStats {
  return { renderer, pointsDrawn: 0, activePoints: 0, frames: 0, lastDrawMs: 0, firstFrameAt: null, layout: null, animating: false };
}

/** The layers (same size, drawn in order) on an opaque background: what a PNG export of the map holds. */
export function composite(layers: HTMLCanvasElement[], background: readonly number[]): HTMLCanvasElement {
  const out = document.createElement('canvas');
  out.width = layers[0].width;
  out.height = layers[0].height;
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = `rgb(${background[0]},${background[1]},${background[2]})`;
  ctx.fillRect(0, 0, out.width, out.height);
  for (const layer of layers) ctx.drawImage(layer, 0, 0);
  return out;
}
