/**
 * A small SVG line chart on d3 scales and axes, redrawn whole on every update (a few hundred
 * points per line after downsampling, so redrawing is cheaper than diffing).
 */
import { axisBottom, axisLeft, line, scaleLinear, select } from 'd3';
import { svg } from '../dom';
import type { Point } from './series';

export interface LineSpec {
  key: string;
  label: string;
  points: Point[];
  /** Draw a dot at every point (per-epoch values), not only the line. */
  dots?: boolean;
}

export interface ChartSpec {
  lines: LineSpec[];
  xLabel: string;
  yLabel: string;
  /** Fixed x range (e.g. all planned steps), else the data's. */
  xDomain?: [number, number];
  /** Fixed y range (metrics in [0, 1]), else the data's with a little headroom. */
  yDomain?: [number, number];
  /** Vertical guides, e.g. where each epoch starts. */
  guides?: { x: number; label: string }[];
  /** Integer ticks only (steps, epochs). */
  integerX?: boolean;
  /** Text drawn when there is nothing to plot yet. */
  empty: string;
}

const MARGIN = { top: 10, right: 14, bottom: 34, left: 52 };

export function drawChart(el: SVGSVGElement, spec: ChartSpec, width: number, height: number): void {
  el.replaceChildren();
  el.setAttribute('viewBox', `0 0 ${width} ${height}`);
  el.setAttribute('width', String(width));
  el.setAttribute('height', String(height));
  const all = spec.lines.flatMap((l) => l.points);
  if (all.length === 0) {
    el.append(svg('text', { x: width / 2, y: height / 2, 'text-anchor': 'middle', class: 'chart-empty' }, spec.empty));
    return;
  }
  const innerW = Math.max(10, width - MARGIN.left - MARGIN.right);
  const innerH = Math.max(10, height - MARGIN.top - MARGIN.bottom);
  let [x0, x1] = spec.xDomain ?? [Math.min(...all.map((p) => p.x)), Math.max(...all.map((p) => p.x))];
  if (x0 === x1) [x0, x1] = [x0 - 1, x1 + 1];
  const [y0, yMax] = spec.yDomain ?? [Math.min(0, ...all.map((p) => p.y)), Math.max(...all.map((p) => p.y))];
  // A little headroom over the highest point, unless the domain was given.
  const y1 = spec.yDomain ? yMax : yMax > y0 ? yMax + (yMax - y0) * 0.06 : y0 + 1;
  const x = scaleLinear().domain([x0, x1]).range([0, innerW]);
  const y = scaleLinear().domain([y0, y1]).range([innerH, 0]).nice();

  const plot = svg('g', { transform: `translate(${MARGIN.left},${MARGIN.top})` });
  el.append(plot);
  const xAxis = axisBottom(x);
  // Steps and epochs are counts: no 1.5th step, even when only a few fit the axis.
  if (spec.integerX)
    xAxis.tickValues(x.ticks(Math.max(2, Math.min(10, Math.floor(innerW / 60)))).filter(Number.isInteger)).tickFormat((v) => String(v));
  else xAxis.ticks(Math.max(2, Math.min(8, Math.floor(innerW / 70))));
  select(plot).append('g').attr('class', 'tr-axis').attr('transform', `translate(0,${innerH})`).call(xAxis);
  select(plot)
    .append('g')
    .attr('class', 'tr-axis')
    .call(axisLeft(y).ticks(Math.max(2, Math.floor(innerH / 40))));
  plot.append(svg('text', { class: 'axis-label', x: innerW / 2, y: innerH + 30, 'text-anchor': 'middle' }, spec.xLabel));
  plot.append(
    svg('text', { class: 'axis-label', transform: `translate(${-40},${innerH / 2}) rotate(-90)`, 'text-anchor': 'middle' }, spec.yLabel),
  );

  for (const g of spec.guides ?? []) {
    if (g.x <= x0 || g.x > x1) continue;
    const gx = x(g.x);
    plot.append(svg('line', { class: 'guide', x1: gx, x2: gx, y1: 0, y2: innerH }));
    plot.append(svg('text', { class: 'guide-label', x: gx + 3, y: 10 }, g.label));
  }

  const path = line<Point>()
    .x((p) => x(p.x))
    .y((p) => y(p.y));
  for (const l of spec.lines) {
    if (l.points.length === 0) continue;
    const series = svg('g', { class: `series series-${l.key}`, 'data-series': l.key, 'data-points': l.points.length });
    series.append(svg('path', { class: 'series-line', d: path(l.points) ?? '' }));
    if (l.dots || l.points.length === 1) {
      for (const p of l.points) {
        const dot = svg('circle', { class: 'series-dot', cx: x(p.x), cy: y(p.y), r: 3.2, 'data-x': p.x, 'data-y': p.y });
        dot.append(svg('title', {}, `${l.label} at ${spec.xLabel.toLowerCase()} ${p.x}: ${p.y.toFixed(4)}`));
        series.append(dot);
      }
    }
    plot.append(series);
  }
}
