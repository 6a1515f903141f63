import type { Rng } from './prng';
import type { Paint, ProductClass } from './shapes';

/**
 * Puts one product on a thumbnail: material (colour and pattern), pose (scale, rotation, offset,
 * mirror), a tinted background and sometimes an occluding sticker. Colour and pattern are drawn
 * independently of the class, so a model has to learn shape, not hue.
 */

function hex(h: number, s: number, l: number): string {
  // HSL → RGB, h in degrees, s and l in [0, 1].
  const hh = ((h % 360) + 360) % 360;
  const c = (1 - Math.abs(2 * l - 1)) * s;
  const x = c * (1 - Math.abs(((hh / 60) % 2) - 1));
  const m = l - c / 2;
  const [r, g, b] =
    hh < 60 ? [c, x, 0] : hh < 120 ? [x, c, 0] : hh < 180 ? [0, c, x] : hh < 240 ? [0, x, c] : hh < 300 ? [x, 0, c] : [c, 0, x];
  const to = (v: number) =>
    Math.round(Math.min(1, Math.max(0, v + m)) * 255)
      .toString(16)
      .padStart(2, '0');
  return `#${to(r)}${to(g)}${to(b)}`;
}

const NEUTRALS: ReadonlyArray<[number, number, number]> = [
  [0, 0, 0.13],
  [220, 0.35, 0.22],
  [0, 0, 0.45],
  [0, 0, 0.93],
  [38, 0.35, 0.78],
  [25, 0.4, 0.3],
  [0, 0, 0.7],
];
const METALS = ['#b8bcc2', '#c9a94e', '#5a5e66', '#d9d9d9'];

type PatternKind = 'solid' | 'stripes' | 'dots' | 'checks';

function makePaint(rng: Rng): { paint: Paint; defs: string } {
  const [h, s, l] = rng.chance(0.3) ? rng.pick(NEUTRALS) : [rng.range(0, 360), rng.range(0.35, 0.85), rng.range(0.3, 0.62)];
  const base = hex(h, s, l);
  const dark = hex(h, Math.min(1, s * 0.8), l > 0.5 ? l * 0.45 : Math.max(0.06, l * 0.45));
  const light = hex(h, s * 0.5, Math.min(0.95, l + 0.35));
  const accent = rng.chance(0.3)
    ? rng.pick(['#ffffff', '#1a1a1a', '#f2e6c8'])
    : hex(h + rng.pick([150, 180, 210, 60, -60]), rng.range(0.4, 0.9), rng.range(0.35, 0.75));
  const metal = rng.pick(METALS);
  const kind: PatternKind = rng.pick(['solid', 'solid', 'solid', 'stripes', 'stripes', 'dots', 'checks']);
  const w = rng.range(4, 10);
  const angle = rng.pick([0, 0, 90, 45, -45, rng.range(-60, 60)]);
  let inner = '';
  if (kind === 'stripes') {
    inner = `<rect width="${w}" height="${w}" fill="${base}"/><rect width="${w}" height="${w * rng.range(0.25, 0.5)}" fill="${accent}"/>`;
  } else if (kind === 'dots') {
    inner = `<rect width="${w}" height="${w}" fill="${base}"/><circle cx="${w / 2}" cy="${w / 2}" r="${w * rng.range(0.15, 0.3)}" fill="${accent}"/>`;
  } else if (kind === 'checks') {
    inner = `<rect width="${w}" height="${w}" fill="${base}"/><rect width="${w / 2}" height="${w / 2}" fill="${accent}" fill-opacity="0.75"/><rect x="${w / 2}" y="${w / 2}" width="${w / 2}" height="${w / 2}" fill="${accent}" fill-opacity="0.75"/>`;
  }
  const defs =
    kind === 'solid'
      ? ''
      : `<pattern id="pat" patternUnits="userSpaceOnUse" width="${w}" height="${w}" patternTransform="rotate(${angle.toFixed(1)})">${inner}</pattern>`;
  return { paint: { fill: kind === 'solid' ? base : 'url(#pat)', base, dark, light, accent, metal }, defs };
}

function background(rng: Rng): { defs: string; fill: string } {
  const h = rng.range(0, 360);
  const top = hex(h, rng.range(0.05, 0.45), rng.range(0.86, 0.98));
  if (rng.chance(0.4)) return { defs: '', fill: top };
  const bottom = hex(h + rng.range(-30, 30), rng.range(0.05, 0.4), rng.range(0.78, 0.92));
  return {
    defs: `<linearGradient id="bg" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${top}"/><stop offset="1" stop-color="${bottom}"/></linearGradient>`,
    fill: 'url(#bg)',
  };
}

/** A price sticker, a finger, a tag: something in front of the product hiding part of it. */
function occluder(rng: Rng): string {
  const cx = rng.range(28, 72);
  const cy = rng.range(28, 72);
  const colour = hex(rng.range(0, 360), rng.range(0.2, 0.9), rng.range(0.3, 0.85));
  const a = rng.range(0, 180).toFixed(1);
  if (rng.chance(0.5)) {
    const w = rng.range(16, 32);
    const h = rng.range(10, 22);
    return `<rect x="${(cx - w / 2).toFixed(2)}" y="${(cy - h / 2).toFixed(2)}" width="${w.toFixed(2)}" height="${h.toFixed(2)}" rx="2" fill="${colour}" transform="rotate(${a} ${cx.toFixed(2)} ${cy.toFixed(2)})"/>`;
  }
  return `<ellipse cx="${cx.toFixed(2)}" cy="${cy.toFixed(2)}" rx="${rng.range(7, 14).toFixed(2)}" ry="${rng.range(7, 18).toFixed(2)}" fill="${colour}" transform="rotate(${a} ${cx.toFixed(2)} ${cy.toFixed(2)})"/>`;
}

export interface SceneOptions {
  /** Probability that an item is partly hidden behind an occluder. */
  occlusion: number;
}

/** The SVG for one image of `cls`, size×size pixels. */
export function sceneSvg(cls: ProductClass, rng: Rng, size: number, opts: SceneOptions): string {
  const { paint, defs: patternDefs } = makePaint(rng);
  const bg = background(rng);
  const scale = rng.range(0.68, 1.0);
  const rot = rng.range(-14, 14);
  const room = (1 - scale) * 50;
  const dx = rng.range(-room, room) * 0.8 + rng.range(-3, 3);
  const dy = rng.range(-room, room) * 0.8 + rng.range(-3, 3);
  const sx = cls.mirror && rng.chance(0.5) ? -scale : scale;
  const body = cls.draw(rng, paint);
  const hidden = rng.chance(opts.occlusion) ? occluder(rng) : '';
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 100 100">` +
    `<defs>${bg.defs}${patternDefs}</defs>` +
    `<rect width="100" height="100" fill="${bg.fill}"/>` +
    `<g transform="translate(${(50 + dx).toFixed(2)} ${(50 + dy).toFixed(2)}) rotate(${rot.toFixed(2)}) scale(${sx.toFixed(3)} ${scale.toFixed(3)}) translate(-50 -50)">${body}</g>` +
    hidden +
    '</svg>'
  );
}
