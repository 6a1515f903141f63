import type { Rng } from './prng';

/**
 * Product silhouettes for the demo dataset, drawn as SVG in a 100×100 frame centred on (50, 50).
 * Each class draws with its own random proportions so no two items are the same shape, and some
 * pairs overlap on purpose (sneaker/boot, mug/bottle, handbag/backpack, t-shirt/dress) so a
 * retrieval model has real confusions to show on the map and in the per-class table.
 *
 * Longer than 400 lines on purpose: it is a catalogue of sixteen independent drawings (one short
 * function each) that read best side by side; splitting it would only scatter them.
 */

/** Colours for one item. `fill` is the main material: a solid colour or a url(#…) pattern. */
export interface Paint {
  fill: string;
  base: string;
  dark: string;
  light: string;
  accent: string;
  /** Metal for fittings (watch case, lamp stem, buckles). */
  metal: string;
}

export interface ProductClass {
  name: string;
  /** Whether a horizontal mirror image is still a natural view (side views of shoes, mugs…). */
  mirror: boolean;
  draw(rng: Rng, paint: Paint): string;
}

const f = (x: number) => (Math.round(x * 100) / 100).toString();

function path(d: string, fill: string, stroke: string, width = 1.2, extra = ''): string {
  return `<path d="${d}" fill="${fill}" stroke="${stroke}" stroke-width="${f(width)}" stroke-linejoin="round" stroke-linecap="round"${extra}/>`;
}

/** A closed polygon through points. */
function poly(points: Array<[number, number]>): string {
  return points.map(([x, y], i) => `${i ? 'L' : 'M'}${f(x)} ${f(y)}`).join(' ') + ' Z';
}

/** Right-half outline (top to bottom) mirrored about x = 50 into one closed symmetric polygon. */
function symmetric(right: Array<[number, number]>): Array<[number, number]> {
  const left = right
    .slice()
    .reverse()
    .map(([x, y]): [number, number] => [100 - x, y]);
  return [...right, ...left];
}

function line(x1: number, y1: number, x2: number, y2: number, stroke: string, width: number): string {
  return `<line x1="${f(x1)}" y1="${f(y1)}" x2="${f(x2)}" y2="${f(y2)}" stroke="${stroke}" stroke-width="${f(width)}" stroke-linecap="round"/>`;
}

function shadow(cx: number, cy: number, rx: number, ry: number): string {
  return `<ellipse cx="${f(cx)}" cy="${f(cy)}" rx="${f(rx)}" ry="${f(ry)}" fill="#000" fill-opacity="0.13"/>`;
}

function tshirt(rng: Rng, p: Paint): string {
  const nw = rng.range(6, 9);
  const nd = rng.range(3, 8);
  const hs = rng.range(16, 21);
  const sl = rng.range(9, 19);
  const bw = rng.range(14, 19);
  const bottom = rng.range(80, 88);
  const top = 16;
  const right: Array<[number, number]> = [
    [50 + nw, top],
    [50 + hs, top + 3],
    [50 + hs + sl * 0.8, top + 3 + sl * 0.8],
    [50 + hs + sl * 0.8 - 7, top + 3 + sl * 0.8 + 6],
    [50 + bw + 1, top + 20],
    [50 + bw, bottom],
  ];
  const pts = symmetric(right);
  // The neckline replaces the straight edge between the two neck points with a dip.
  const d =
    `M${f(50 - nw)} ${top} Q50 ${f(top + 2 * nd)} ${f(50 + nw)} ${top} ` +
    pts
      .slice(1, -1)
      .map(([x, y]) => `L${f(x)} ${f(y)}`)
      .join(' ') +
    ' Z';
  const collar = `<path d="M${f(50 - nw)} ${top} Q50 ${f(top + 2 * nd)} ${f(50 + nw)} ${top}" fill="none" stroke="${p.dark}" stroke-width="2.4"/>`;
  const pocket = rng.chance(0.3)
    ? `<rect x="${f(50 + bw * 0.25)}" y="${top + 14}" width="${f(bw * 0.45)}" height="${f(bw * 0.5)}" fill="none" stroke="${p.dark}" stroke-width="0.9"/>`
    : '';
  return (
    shadow(50, bottom + 2, bw + 6, 2.5) +
    path(d, p.fill, p.dark) +
    collar +
    pocket +
    line(50 - bw, bottom - 3, 50 + bw, bottom - 3, p.dark, 0.6)
  );
}

function dress(rng: Rng, p: Paint): string {
  const top = rng.range(12, 17);
  const sw = rng.range(6, 9);
  const shoulder = rng.range(11, 15);
  const waist = rng.range(8, 11);
  const waistY = rng.range(40, 48);
  const hem = rng.range(20, 33);
  const bottom = rng.range(84, 90);
  // A short sleeve now and then makes the top half read like a t-shirt: a deliberate near-miss.
  const sleeve = rng.chance(0.35) ? rng.range(5, 10) : 0;
  const right: Array<[number, number]> = [
    [50 + sw, top],
    [50 + shoulder, top + 3],
    ...(sleeve
      ? ([
          [50 + shoulder + sleeve, top + 3 + sleeve],
          [50 + shoulder + sleeve - 5, top + 8 + sleeve],
        ] as Array<[number, number]>)
      : []),
    [50 + shoulder - 1, top + 17],
    [50 + waist, waistY],
    [50 + hem, bottom],
  ];
  const left = right
    .slice(1, -1)
    .reverse()
    .map(([x, y]): [number, number] => [100 - x, y]);
  const d =
    `M${f(50 - sw)} ${f(top)} Q50 ${f(top + rng.range(5, 12))} ${f(50 + sw)} ${f(top)} ` +
    right
      .slice(1)
      .map(([x, y]) => `L${f(x)} ${f(y)}`)
      .join(' ') +
    ` Q50 ${f(bottom + 4)} ${f(50 - hem)} ${f(bottom)} ` +
    left.map(([x, y]) => `L${f(x)} ${f(y)}`).join(' ') +
    ' Z';
  const belt = rng.chance(0.5) ? line(50 - waist - 0.5, waistY, 50 + waist + 0.5, waistY, p.accent, 2.6) : '';
  return shadow(50, bottom + 3, hem + 3, 2.5) + path(d, p.fill, p.dark) + belt;
}

function trousers(rng: Rng, p: Paint): string {
  const top = rng.range(10, 16);
  const hw = rng.range(14, 18);
  const crotch = rng.range(40, 50);
  const bottom = rng.range(86, 91);
  const legOut = hw + rng.range(-2, 4);
  const legIn = rng.range(1.5, 4);
  const right: Array<[number, number]> = [
    [50 + hw, top],
    [50 + legOut, bottom],
    [50 + legIn, bottom],
    [50, crotch],
  ];
  const left = right
    .slice(0, 3)
    .reverse()
    .map(([x, y]): [number, number] => [100 - x, y]);
  const d = poly([...right, ...left]);
  const band = line(50 - hw, top + 3, 50 + hw, top + 3, p.dark, 1);
  const fly = line(50, top + 3, 50, crotch - 6, p.dark, 0.7);
  const pockets = `<path d="M${f(50 - hw + 1)} ${f(top + 5)} q6 1 7 -2 M${f(50 + hw - 1)} ${f(top + 5)} q-6 1 -7 -2" fill="none" stroke="${p.dark}" stroke-width="0.8"/>`;
  return shadow(50, bottom + 2, legOut + 5, 2) + path(d, p.fill, p.dark) + band + fly + pockets;
}

/** Side view of a shoe: shared by sneaker and boot so the two differ in proportion, not in style. */
function shoe(rng: Rng, p: Paint, shaftTop: number, heelBlock: boolean, laces: boolean): string {
  const sole = rng.range(66, 72);
  const soleH = heelBlock ? rng.range(4, 6) : rng.range(5, 8);
  const toe = rng.range(84, 90);
  const heel = rng.range(12, 17);
  const throat = rng.range(38, 46);
  const toeTop = rng.range(52, 58);
  const openW = shaftTop < 40 ? rng.range(14, 19) : rng.range(16, 22);
  const upper =
    `M${f(heel)} ${f(sole)} ` +
    `C${f(heel - 3)} ${f(sole - 10)} ${f(heel)} ${f(shaftTop + 6)} ${f(heel + 2)} ${f(shaftTop)} ` +
    `L${f(heel + 2 + openW)} ${f(shaftTop + (shaftTop < 40 ? 0 : 3))} ` +
    `L${f(heel + 6 + openW)} ${f(throat)} ` +
    `C${f(60)} ${f(throat + 6)} ${f(68)} ${f(toeTop - 1)} ${f(toe - 12)} ${f(toeTop)} ` +
    `C${f(toe - 3)} ${f(toeTop + 0.5)} ${f(toe + 2)} ${f(toeTop + 5)} ${f(toe + 1)} ${f(sole - 2)} L${f(toe)} ${f(sole)} Z`;
  const soleD =
    `M${f(heel - 1)} ${f(sole)} L${f(toe + 1)} ${f(sole)} ` +
    `Q${f(toe + 2)} ${f(sole + soleH)} ${f(toe - 4)} ${f(sole + soleH)} L${f(heel + 1)} ${f(sole + soleH)} ` +
    `Q${f(heel - 2)} ${f(sole + soleH)} ${f(heel - 1)} ${f(sole)} Z`;
  const soleFill = heelBlock ? p.dark : rng.pick([p.light, '#f4f4f2', '#e8e4dc', p.dark]);
  let details = '';
  if (laces) {
    const n = shaftTop < 40 ? 5 : 3;
    for (let i = 0; i < n; i++) {
      const t = (i + 0.5) / n;
      const x = heel + 6 + openW + t * (toe - heel - openW - 24);
      const y = throat + t * (toeTop - throat) * 0.8 + 3;
      details += line(x - 2.5, y - 2, x + 2.5, y + 1.5, p.light, 1.1);
    }
  }
  if (!heelBlock && rng.chance(0.7)) {
    // The side stripe that makes a trainer read as a trainer.
    details += `<path d="M${f(heel + 8)} ${f(sole - 4)} Q${f(50)} ${f(sole - 3)} ${f(toe - 20)} ${f(throat + 4)}" fill="none" stroke="${p.accent}" stroke-width="${f(rng.range(2, 3.5))}" stroke-linecap="round"/>`;
  }
  if (heelBlock) {
    details += `<rect x="${f(heel)}" y="${f(sole + soleH - 1)}" width="${f(rng.range(9, 13))}" height="${f(rng.range(3, 7))}" fill="${p.dark}"/>`;
    if (!laces && rng.chance(0.6)) {
      details += `<rect x="${f(heel + 2 + openW * 0.6)}" y="${f(shaftTop + 4)}" width="3" height="${f(throat - shaftTop - 4)}" fill="${p.metal}" fill-opacity="0.8"/>`;
    }
  }
  return shadow(50, sole + soleH + 4, 40, 2.5) + path(upper, p.fill, p.dark) + path(soleD, soleFill, p.dark, 1) + details;
}

function sneaker(rng: Rng, p: Paint): string {
  // A quarter are high-tops, whose collar reaches into the low ankle boot's range.
  const shaftTop = rng.chance(0.25) ? rng.range(30, 38) : rng.range(40, 48);
  return shoe(rng, p, shaftTop, false, true);
}

function boot(rng: Rng, p: Paint): string {
  const shaftTop = rng.range(14, 34);
  return shoe(rng, p, shaftTop, true, rng.chance(0.4));
}

function handbag(rng: Rng, p: Paint): string {
  const bw = rng.range(20, 28);
  const tw = bw - rng.range(2, 7);
  const top = rng.range(38, 48);
  const bottom = rng.range(78, 86);
  const r = rng.range(3, 7);
  const body =
    `M${f(50 - tw)} ${f(top)} L${f(50 + tw)} ${f(top)} L${f(50 + bw)} ${f(bottom - r)} ` +
    `Q${f(50 + bw)} ${f(bottom)} ${f(50 + bw - r)} ${f(bottom)} L${f(50 - bw + r)} ${f(bottom)} ` +
    `Q${f(50 - bw)} ${f(bottom)} ${f(50 - bw)} ${f(bottom - r)} Z`;
  const hx = tw * rng.range(0.45, 0.75);
  const hy = top - rng.range(14, 24);
  const handle = `<path d="M${f(50 - hx)} ${f(top)} C${f(50 - hx)} ${f(hy)} ${f(50 + hx)} ${f(hy)} ${f(50 + hx)} ${f(top)}" fill="none" stroke="${p.dark}" stroke-width="${f(rng.range(2.5, 4))}"/>`;
  const flap = rng.chance(0.5)
    ? path(
        `M${f(50 - tw)} ${f(top)} L${f(50 + tw)} ${f(top)} L${f(50 + tw - 1)} ${f(top + 10)} Q50 ${f(top + 18)} ${f(50 - tw + 1)} ${f(top + 10)} Z`,
        p.fill,
        p.dark,
        1,
        ' fill-opacity="1"',
      )
    : '';
  const clasp = `<rect x="${f(48)}" y="${f(top + (flap ? 11 : 3))}" width="4" height="3" rx="0.8" fill="${p.metal}"/>`;
  return shadow(50, bottom + 2, bw + 3, 2.5) + handle + path(body, p.fill, p.dark) + flap + clasp;
}

function backpack(rng: Rng, p: Paint): string {
  const bw = rng.range(16, 22);
  const top = rng.range(16, 24);
  const bottom = rng.range(82, 88);
  const r = rng.range(10, 16);
  const body =
    `M${f(50 - bw)} ${f(bottom - 3)} L${f(50 - bw)} ${f(top + r)} Q${f(50 - bw)} ${f(top)} ${f(50 - bw + r)} ${f(top)} ` +
    `L${f(50 + bw - r)} ${f(top)} Q${f(50 + bw)} ${f(top)} ${f(50 + bw)} ${f(top + r)} L${f(50 + bw)} ${f(bottom - 3)} ` +
    `Q${f(50 + bw)} ${f(bottom)} ${f(50 + bw - 3)} ${f(bottom)} L${f(50 - bw + 3)} ${f(bottom)} Q${f(50 - bw)} ${f(bottom)} ${f(50 - bw)} ${f(bottom - 3)} Z`;
  const straps =
    path(
      `M${f(50 - bw + 2)} ${f(top + 6)} C${f(50 - bw - 8)} ${f(top + 20)} ${f(50 - bw - 7)} ${f(bottom - 20)} ${f(50 - bw + 1)} ${f(bottom - 8)}`,
      'none',
      p.dark,
      3,
    ) +
    path(
      `M${f(50 + bw - 2)} ${f(top + 6)} C${f(50 + bw + 8)} ${f(top + 20)} ${f(50 + bw + 7)} ${f(bottom - 20)} ${f(50 + bw - 1)} ${f(bottom - 8)}`,
      'none',
      p.dark,
      3,
    );
  const loop = `<path d="M46 ${f(top + 1)} Q50 ${f(top - 7)} 54 ${f(top + 1)}" fill="none" stroke="${p.dark}" stroke-width="2"/>`;
  const py = rng.range(52, 60);
  const pw = bw * rng.range(0.6, 0.85);
  const pocket = `<rect x="${f(50 - pw)}" y="${f(py)}" width="${f(2 * pw)}" height="${f(bottom - py - 4)}" rx="${f(rng.range(3, 7))}" fill="${rng.chance(0.5) ? p.accent : p.fill}" stroke="${p.dark}" stroke-width="1"/>`;
  const zip = `<path d="M${f(50 - bw + 4)} ${f(top + r * 0.9)} Q50 ${f(top - 1)} ${f(50 + bw - 4)} ${f(top + r * 0.9)}" fill="none" stroke="${p.dark}" stroke-width="0.8" stroke-dasharray="1.5 1"/>`;
  return shadow(50, bottom + 2, bw + 4, 2.5) + straps + loop + path(body, p.fill, p.dark) + pocket + zip;
}

/** Upright cylinder with a rim: shared by mug and bottle (they differ in width, neck and handle). */
function mug(rng: Rng, p: Paint): string {
  const hw = rng.range(13, 19);
  const h = rng.range(34, 52);
  const bottom = rng.range(78, 86);
  const top = bottom - h;
  const cx = 46;
  const rim = hw * 0.28;
  const body =
    `M${f(cx - hw)} ${f(top)} L${f(cx - hw)} ${f(bottom - 4)} Q${f(cx - hw)} ${f(bottom)} ${f(cx - hw + 4)} ${f(bottom)} ` +
    `L${f(cx + hw - 4)} ${f(bottom)} Q${f(cx + hw)} ${f(bottom)} ${f(cx + hw)} ${f(bottom - 4)} L${f(cx + hw)} ${f(top)} Z`;
  const hy1 = top + h * 0.18;
  const hy2 = top + h * rng.range(0.6, 0.8);
  const reach = rng.range(8, 14);
  const handle =
    `<path d="M${f(cx + hw - 1)} ${f(hy1)} C${f(cx + hw + reach)} ${f(hy1 - 2)} ${f(cx + hw + reach)} ${f(hy2 + 2)} ${f(cx + hw - 1)} ${f(hy2)}" fill="none" stroke="${p.dark}" stroke-width="${f(rng.range(3.5, 5))}"/>` +
    `<path d="M${f(cx + hw - 1)} ${f(hy1)} C${f(cx + hw + reach)} ${f(hy1 - 2)} ${f(cx + hw + reach)} ${f(hy2 + 2)} ${f(cx + hw - 1)} ${f(hy2)}" fill="none" stroke="${p.base}" stroke-width="${f(rng.range(1.5, 2.5))}"/>`;
  const opening =
    `<ellipse cx="${f(cx)}" cy="${f(top)}" rx="${f(hw)}" ry="${f(rim)}" fill="${p.dark}" stroke="${p.dark}" stroke-width="1.2"/>` +
    `<ellipse cx="${f(cx)}" cy="${f(top + 0.5)}" rx="${f(hw - 1.5)}" ry="${f(rim - 0.8)}" fill="#3a2a1e" fill-opacity="${f(rng.range(0.5, 0.95))}"/>`;
  return shadow(cx + 4, bottom + 1.5, hw + 10, 2.5) + handle + path(body, p.fill, p.dark) + opening;
}

function bottle(rng: Rng, p: Paint): string {
  // Some bottles are squat and wide (jars, jugs): those sit close to mugs.
  const squat = rng.chance(0.3);
  const hw = squat ? rng.range(13, 17) : rng.range(9, 14);
  const bottom = rng.range(84, 90);
  const shoulder = squat ? rng.range(40, 50) : rng.range(30, 44);
  const neckW = rng.range(3.5, 6);
  const neckTop = shoulder - rng.range(8, 16);
  const capH = rng.range(4, 8);
  const body =
    `M${f(50 - neckW)} ${f(neckTop)} L${f(50 - neckW)} ${f(shoulder - 6)} ` +
    `C${f(50 - neckW)} ${f(shoulder - 2)} ${f(50 - hw)} ${f(shoulder - 2)} ${f(50 - hw)} ${f(shoulder + 4)} ` +
    `L${f(50 - hw)} ${f(bottom - 3)} Q${f(50 - hw)} ${f(bottom)} ${f(50 - hw + 3)} ${f(bottom)} L${f(50 + hw - 3)} ${f(bottom)} ` +
    `Q${f(50 + hw)} ${f(bottom)} ${f(50 + hw)} ${f(bottom - 3)} L${f(50 + hw)} ${f(shoulder + 4)} ` +
    `C${f(50 + hw)} ${f(shoulder - 2)} ${f(50 + neckW)} ${f(shoulder - 2)} ${f(50 + neckW)} ${f(shoulder - 6)} L${f(50 + neckW)} ${f(neckTop)} Z`;
  const cap = `<rect x="${f(50 - neckW - 1)}" y="${f(neckTop - capH)}" width="${f(2 * neckW + 2)}" height="${f(capH)}" rx="1" fill="${p.accent}" stroke="${p.dark}" stroke-width="1"/>`;
  const ly = shoulder + rng.range(8, 14);
  const lh = rng.range(10, 22);
  const label = rng.chance(0.75)
    ? `<rect x="${f(50 - hw)}" y="${f(ly)}" width="${f(2 * hw)}" height="${f(Math.min(lh, bottom - ly - 4))}" fill="${p.light}" stroke="${p.dark}" stroke-width="0.6"/>`
    : '';
  const shine = line(50 - hw * 0.55, shoulder + 6, 50 - hw * 0.55, bottom - 6, '#ffffff', 1.6).replace('/>', ' stroke-opacity="0.35"/>');
  return shadow(50, bottom + 1.5, hw + 5, 2.2) + path(body, p.fill, p.dark) + label + shine + cap;
}

function chair(rng: Rng, p: Paint): string {
  const seatY = rng.range(50, 58);
  const backTop = rng.range(10, 22);
  const bw = rng.range(14, 19);
  const depth = rng.range(8, 12);
  const floor = rng.range(86, 91);
  const legW = rng.range(2, 3.5);
  const frame = p.dark;
  const back = rng.chance(0.5)
    ? `<rect x="${f(50 - bw)}" y="${f(backTop)}" width="${f(2 * bw)}" height="${f(seatY - backTop)}" rx="${f(rng.range(1, 6))}" fill="${p.fill}" stroke="${frame}" stroke-width="1.2"/>`
    : [0, 1, 2, 3]
        .map((i) => line(50 - bw + 2 + (i * (2 * bw - 4)) / 3, backTop + 4, 50 - bw + 2 + (i * (2 * bw - 4)) / 3, seatY, frame, 2))
        .join('') +
      `<rect x="${f(50 - bw)}" y="${f(backTop)}" width="${f(2 * bw)}" height="6" rx="2" fill="${p.fill}" stroke="${frame}" stroke-width="1.2"/>`;
  const backLegs =
    line(50 - bw + 1, seatY, 50 - bw + 1, floor - depth * 0.6, frame, legW) +
    line(50 + bw - 1, seatY, 50 + bw - 1, floor - depth * 0.6, frame, legW);
  const seat = path(
    poly([
      [50 - bw, seatY],
      [50 + bw, seatY],
      [50 + bw + depth * 0.6, seatY + depth],
      [50 - bw - depth * 0.6, seatY + depth],
    ]),
    p.fill,
    frame,
  );
  const apron = `<rect x="${f(50 - bw - depth * 0.6)}" y="${f(seatY + depth)}" width="${f(2 * (bw + depth * 0.6))}" height="3" fill="${frame}"/>`;
  const frontLegs =
    line(50 - bw - depth * 0.6 + 1.5, seatY + depth, 50 - bw - depth * 0.6 + 1.5, floor, frame, legW + 0.5) +
    line(50 + bw + depth * 0.6 - 1.5, seatY + depth, 50 + bw + depth * 0.6 - 1.5, floor, frame, legW + 0.5);
  return shadow(50, floor, bw + depth + 4, 2.5) + back + backLegs + seat + apron + frontLegs;
}

function lamp(rng: Rng, p: Paint): string {
  const shadeTop = rng.range(10, 20);
  const shadeBottom = shadeTop + rng.range(22, 32);
  const tw = rng.range(7, 13);
  const bw = rng.range(17, 25);
  const floor = rng.range(84, 90);
  const baseW = rng.range(9, 15);
  const baseH = rng.range(3, 7);
  const shade = path(
    `M${f(50 - tw)} ${f(shadeTop)} L${f(50 + tw)} ${f(shadeTop)} L${f(50 + bw)} ${f(shadeBottom)} Q50 ${f(shadeBottom + 2)} ${f(50 - bw)} ${f(shadeBottom)} Z`,
    p.fill,
    p.dark,
  );
  const glow = `<ellipse cx="50" cy="${f(shadeBottom + 1)}" rx="${f(bw * 0.8)}" ry="2" fill="#fff6c8" fill-opacity="0.85"/>`;
  const bulge = rng.chance(0.5);
  const stemW = rng.range(2, 3.5);
  const stem = bulge
    ? `<ellipse cx="50" cy="${f((shadeBottom + floor) / 2 + 4)}" rx="${f(rng.range(7, 11))}" ry="${f((floor - shadeBottom) / 2 - 3)}" fill="${p.accent}" stroke="${p.dark}" stroke-width="1"/>`
    : `<rect x="${f(50 - stemW / 2)}" y="${f(shadeBottom)}" width="${f(stemW)}" height="${f(floor - shadeBottom)}" fill="${p.metal}" stroke="${p.dark}" stroke-width="0.6"/>`;
  const base = `<rect x="${f(50 - baseW)}" y="${f(floor - baseH)}" width="${f(2 * baseW)}" height="${f(baseH)}" rx="${f(baseH / 2)}" fill="${p.metal}" stroke="${p.dark}" stroke-width="0.8"/>`;
  return shadow(50, floor + 0.5, baseW + 6, 2) + stem + base + glow + shade;
}

function watch(rng: Rng, p: Paint): string {
  const r = rng.range(15, 22);
  const sw = rng.range(8, 11);
  const strapTop = rng.range(4, 12);
  const strapBottom = 100 - rng.range(4, 12);
  const strap = path(
    `M${f(50 - sw)} ${f(strapTop)} L${f(50 + sw)} ${f(strapTop)} L${f(50 + sw - 1)} ${f(strapBottom)} L${f(50 - sw + 1)} ${f(strapBottom)} Z`,
    p.fill,
    p.dark,
    1,
  );
  let holes = '';
  for (let y = 50 + r + 6; y < strapBottom - 4; y += 5) holes += `<circle cx="50" cy="${f(y)}" r="0.9" fill="${p.dark}"/>`;
  const caseFill = rng.pick([p.metal, '#d8d8d8', '#c9a94e', '#2b2b2b']);
  const face = rng.pick(['#fbfbf7', '#f1ede2', '#1f2630', '#e9eef3']);
  const ink = face === '#1f2630' ? '#e8e8e8' : '#222';
  let marks = '';
  for (let i = 0; i < 12; i++) {
    const a = (i / 12) * 2 * Math.PI;
    const l = i % 3 === 0 ? 3 : 1.5;
    const inner = r - 4 - l;
    marks += line(
      50 + Math.sin(a) * inner,
      50 - Math.cos(a) * inner,
      50 + Math.sin(a) * (r - 4),
      50 - Math.cos(a) * (r - 4),
      ink,
      i % 3 === 0 ? 1.2 : 0.6,
    );
  }
  const ha = rng.range(0, 2 * Math.PI);
  const ma = rng.range(0, 2 * Math.PI);
  const hands =
    line(50, 50, 50 + Math.sin(ha) * (r - 10), 50 - Math.cos(ha) * (r - 10), ink, 1.8) +
    line(50, 50, 50 + Math.sin(ma) * (r - 6), 50 - Math.cos(ma) * (r - 6), ink, 1.1);
  const crown = `<rect x="${f(50 + r - 0.5)}" y="47.5" width="3.5" height="5" rx="1" fill="${caseFill}" stroke="${p.dark}" stroke-width="0.6"/>`;
  return (
    shadow(52, 52, r + 2, r + 2) +
    strap +
    holes +
    crown +
    `<circle cx="50" cy="50" r="${f(r)}" fill="${caseFill}" stroke="${p.dark}" stroke-width="1"/>` +
    `<circle cx="50" cy="50" r="${f(r - 2.5)}" fill="${face}"/>` +
    marks +
    hands
  );
}

/* ---- Eight more classes (v2 of the demo dataset): with 20 classes the demo can fine-tune on some
   and still hold out enough unseen ones for a fair retrieval test. Near-misses again on purpose:
   table/chair, teapot/mug, wineglass/bottle, cap/handbag (a dome with a strap or brim). ---- */

function cap(rng: Rng, p: Paint): string {
  const crownW = rng.range(20, 27);
  const crownH = rng.range(18, 28);
  const band = rng.range(56, 64);
  const brim = rng.range(14, 24);
  const brimDrop = rng.range(2, 7);
  const cx = 46;
  const crown = `M${f(cx - crownW)} ${f(band)} C${f(cx - crownW)} ${f(band - crownH * 1.3)} ${f(cx + crownW)} ${f(band - crownH * 1.3)} ${f(cx + crownW)} ${f(band)} Z`;
  const visor =
    `M${f(cx + crownW - 4)} ${f(band - 2)} Q${f(cx + crownW + brim * 0.6)} ${f(band - 1)} ${f(cx + crownW + brim)} ${f(band + brimDrop)} ` +
    `Q${f(cx + crownW + brim * 0.5)} ${f(band + brimDrop + 3)} ${f(cx + crownW - 4)} ${f(band + 3)} Z`;
  const seams = rng.chance(0.6)
    ? `<path d="M${f(cx)} ${f(band - crownH * 0.98)} Q${f(cx + crownW * 0.35)} ${f(band - crownH * 0.5)} ${f(cx + crownW * 0.45)} ${f(band)}" fill="none" stroke="${p.dark}" stroke-width="0.8"/>`
    : '';
  const button = `<circle cx="${f(cx)}" cy="${f(band - crownH * 0.97)}" r="${f(rng.range(1.5, 2.5))}" fill="${p.accent}" stroke="${p.dark}" stroke-width="0.6"/>`;
  const bandLine = line(cx - crownW, band - 1.5, cx + crownW, band - 1.5, p.dark, rng.range(1, 2.5));
  return (
    shadow(cx + 6, band + 8, crownW + brim * 0.6, 2.5) +
    path(visor, rng.chance(0.5) ? p.accent : p.fill, p.dark) +
    path(crown, p.fill, p.dark) +
    seams +
    bandLine +
    button
  );
}

function glasses(rng: Rng, p: Paint): string {
  const lw = rng.range(13, 18);
  const lh = rng.range(9, 15);
  const gap = rng.range(4, 8);
  const cy = rng.range(46, 56);
  const round = rng.chance(0.4);
  const frame = rng.chance(0.5) ? p.dark : p.fill;
  const fw = rng.range(1.8, 3.2);
  const tint = rng.pick(['#1c1c1c', '#3b2f25', '#23384d', '#d8e6ee']);
  const opacity = rng.range(0.25, 0.85);
  const lens = (cx: number) =>
    round
      ? `<ellipse cx="${f(cx)}" cy="${f(cy)}" rx="${f(lw)}" ry="${f(lh + 2)}" fill="${tint}" fill-opacity="${f(opacity)}" stroke="${frame}" stroke-width="${f(fw)}"/>`
      : `<rect x="${f(cx - lw)}" y="${f(cy - lh)}" width="${f(2 * lw)}" height="${f(2 * lh)}" rx="${f(rng.range(3, 8))}" fill="${tint}" fill-opacity="${f(opacity)}" stroke="${frame}" stroke-width="${f(fw)}"/>`;
  const lx = 50 - gap / 2 - lw;
  const rx = 50 + gap / 2 + lw;
  const bridge = `<path d="M${f(50 - gap / 2)} ${f(cy - lh * 0.4)} Q50 ${f(cy - lh * 0.9)} ${f(50 + gap / 2)} ${f(cy - lh * 0.4)}" fill="none" stroke="${frame}" stroke-width="${f(fw)}"/>`;
  // The temples (arms) seen from slightly above, going back from the outer corners.
  const arm = rng.range(6, 14);
  const temples =
    line(lx - lw, cy - lh * 0.6, lx - lw - arm * 0.3, cy - lh - arm, frame, fw * 0.8) +
    line(rx + lw, cy - lh * 0.6, rx + lw + arm * 0.3, cy - lh - arm, frame, fw * 0.8);
  return shadow(50, cy + lh + 8, 2 * lw + gap, 2) + temples + lens(lx) + lens(rx) + bridge;
}

function umbrella(rng: Rng, p: Paint): string {
  const r = rng.range(28, 36);
  const top = rng.range(14, 24);
  const rim = top + r * rng.range(0.55, 0.75);
  const ribs = rng.pick([4, 5, 6]);
  const scallop = rng.range(2, 5);
  let edge = '';
  for (let i = 0; i < ribs; i++) {
    const x0 = 50 + r - (2 * r * i) / ribs;
    const x1 = 50 + r - (2 * r * (i + 1)) / ribs;
    edge += ` Q${f((x0 + x1) / 2)} ${f(rim - scallop)} ${f(x1)} ${f(rim)}`;
  }
  const canopy = `M${f(50 - r)} ${f(rim)} C${f(50 - r)} ${f(top - 4)} ${f(50 + r)} ${f(top - 4)} ${f(50 + r)} ${f(rim)}${edge} Z`;
  let ribLines = '';
  for (let i = 1; i < ribs; i++) {
    const x = 50 + r - (2 * r * i) / ribs;
    ribLines += `<path d="M50 ${f(top + 2)} Q${f(50 + (x - 50) * 0.7)} ${f(top + (rim - top) * 0.3)} ${f(x)} ${f(rim)}" fill="none" stroke="${p.dark}" stroke-width="0.7"/>`;
  }
  const shaftBottom = rng.range(82, 90);
  const hook = rng.range(5, 8);
  const shaft =
    line(50, top - 3, 50, shaftBottom, p.metal, 1.6) +
    `<path d="M50 ${f(shaftBottom)} q0 ${f(hook)} ${f(-hook)} ${f(hook)} q${f(-hook * 0.6)} 0 ${f(-hook * 0.8)} ${f(-hook * 0.6)}" fill="none" stroke="${p.dark}" stroke-width="${f(rng.range(2.5, 3.5))}" stroke-linecap="round"/>`;
  return shadow(50, shaftBottom + hook + 2, r * 0.6, 2) + shaft + path(canopy, p.fill, p.dark) + ribLines;
}

function headphones(rng: Rng, p: Paint): string {
  const span = rng.range(22, 30);
  const top = rng.range(12, 22);
  const cupY = rng.range(56, 66);
  const cupW = rng.range(7, 11);
  const cupH = rng.range(13, 19);
  const bandW = rng.range(3, 5.5);
  const band =
    `<path d="M${f(50 - span)} ${f(cupY - cupH * 0.6)} C${f(50 - span)} ${f(top - 6)} ${f(50 + span)} ${f(top - 6)} ${f(50 + span)} ${f(cupY - cupH * 0.6)}" fill="none" stroke="${p.dark}" stroke-width="${f(bandW + 1.5)}"/>` +
    `<path d="M${f(50 - span)} ${f(cupY - cupH * 0.6)} C${f(50 - span)} ${f(top - 6)} ${f(50 + span)} ${f(top - 6)} ${f(50 + span)} ${f(cupY - cupH * 0.6)}" fill="none" stroke="${p.base}" stroke-width="${f(bandW)}"/>`;
  const cup = (cx: number) =>
    `<rect x="${f(cx - cupW)}" y="${f(cupY - cupH)}" width="${f(2 * cupW)}" height="${f(2 * cupH)}" rx="${f(cupW * 0.9)}" fill="${p.fill}" stroke="${p.dark}" stroke-width="1.2"/>` +
    `<rect x="${f(cx - cupW * 0.45)}" y="${f(cupY - cupH * 0.7)}" width="${f(cupW * 0.9)}" height="${f(cupH * 1.4)}" rx="${f(cupW * 0.4)}" fill="${p.accent}" fill-opacity="0.8"/>`;
  const cable = rng.chance(0.4)
    ? `<path d="M${f(50 - span)} ${f(cupY + cupH)} q${f(rng.range(-6, 6))} 12 ${f(rng.range(4, 14))} ${f(rng.range(14, 22))}" fill="none" stroke="${p.dark}" stroke-width="1"/>`
    : '';
  return shadow(50, cupY + cupH + 4, span + cupW, 2) + band + cable + cup(50 - span) + cup(50 + span);
}

function teapot(rng: Rng, p: Paint): string {
  const rx = rng.range(17, 23);
  const ry = rng.range(13, 19);
  const cy = rng.range(56, 62);
  const cx = 48;
  const bottom = cy + ry * 0.9;
  const body = `<ellipse cx="${f(cx)}" cy="${f(cy)}" rx="${f(rx)}" ry="${f(ry)}" fill="${p.fill}" stroke="${p.dark}" stroke-width="1.2"/>`;
  const foot = `<rect x="${f(cx - rx * 0.6)}" y="${f(bottom - 1)}" width="${f(rx * 1.2)}" height="${f(rng.range(3, 5))}" rx="1" fill="${p.dark}"/>`;
  const sx = cx - rx + 3;
  const spoutLen = rng.range(12, 18);
  const spoutRise = rng.range(12, 20);
  const spout = path(
    `M${f(sx)} ${f(cy + 4)} C${f(sx - spoutLen * 0.6)} ${f(cy + 2)} ${f(sx - spoutLen * 0.8)} ${f(cy - spoutRise * 0.6)} ${f(sx - spoutLen)} ${f(cy - spoutRise)} ` +
      `L${f(sx - spoutLen + 3)} ${f(cy - spoutRise - 1)} C${f(sx - spoutLen * 0.5)} ${f(cy - spoutRise * 0.4)} ${f(sx - 2)} ${f(cy - 6)} ${f(sx + 2)} ${f(cy - 5)} Z`,
    p.fill,
    p.dark,
    1,
  );
  const hx = cx + rx - 2;
  const reach = rng.range(9, 14);
  const handle = `<path d="M${f(hx)} ${f(cy - ry * 0.5)} C${f(hx + reach)} ${f(cy - ry * 0.6)} ${f(hx + reach)} ${f(cy + ry * 0.5)} ${f(hx - 1)} ${f(cy + ry * 0.45)}" fill="none" stroke="${p.dark}" stroke-width="${f(rng.range(3, 4.5))}"/>`;
  const lidW = rx * rng.range(0.45, 0.65);
  const lidY = cy - ry + 1;
  const lid =
    path(
      `M${f(cx - lidW)} ${f(lidY)} Q${f(cx)} ${f(lidY - rng.range(6, 10))} ${f(cx + lidW)} ${f(lidY)} Z`,
      rng.chance(0.5) ? p.accent : p.fill,
      p.dark,
      1,
    ) + `<circle cx="${f(cx)}" cy="${f(lidY - 7)}" r="${f(rng.range(1.8, 3))}" fill="${p.dark}"/>`;
  return shadow(cx, bottom + 4, rx + 8, 2.5) + handle + spout + body + foot + lid;
}

function wineglass(rng: Rng, p: Paint): string {
  const bowlW = rng.range(10, 16);
  const rimY = rng.range(12, 22);
  const bowlH = rng.range(20, 30);
  const stemTop = rimY + bowlH;
  const floor = rng.range(84, 90);
  const footW = rng.range(10, 15);
  const glass = rng.pick(['#e8f1f6', '#f4f4f4', '#dfe9e2']);
  const wine = rng.chance(0.6);
  const bowl = `M${f(50 - bowlW)} ${f(rimY)} C${f(50 - bowlW)} ${f(stemTop - 2)} ${f(50 + bowlW)} ${f(stemTop - 2)} ${f(50 + bowlW)} ${f(rimY)} Z`;
  const level = rimY + bowlH * rng.range(0.35, 0.55);
  const fill = wine
    ? `<path d="M${f(50 - bowlW * 0.93)} ${f(level)} C${f(50 - bowlW * 0.8)} ${f(stemTop - 3)} ${f(50 + bowlW * 0.8)} ${f(stemTop - 3)} ${f(50 + bowlW * 0.93)} ${f(level)} Z" fill="${p.base}"/>`
    : '';
  const stem = line(50, stemTop - 3, 50, floor - 1, p.dark, rng.range(1.6, 2.6));
  const foot = `<ellipse cx="50" cy="${f(floor)}" rx="${f(footW)}" ry="${f(rng.range(1.8, 3))}" fill="${glass}" stroke="${p.dark}" stroke-width="1"/>`;
  return (
    shadow(50, floor + 2, footW + 3, 1.6) +
    path(bowl, glass, p.dark, 1, ' fill-opacity="0.9"') +
    fill +
    `<ellipse cx="50" cy="${f(rimY)}" rx="${f(bowlW)}" ry="${f(rng.range(1.5, 2.8))}" fill="none" stroke="${p.dark}" stroke-width="0.9"/>` +
    stem +
    foot
  );
}

function table(rng: Rng, p: Paint): string {
  const topY = rng.range(36, 48);
  const tw = rng.range(28, 38);
  const depth = rng.range(6, 11);
  const thick = rng.range(2.5, 5);
  const floor = rng.range(84, 90);
  const legW = rng.range(2.2, 4);
  const frame = p.dark;
  const top = path(
    poly([
      [50 - tw + depth * 0.6, topY],
      [50 + tw - depth * 0.6, topY],
      [50 + tw, topY + depth],
      [50 - tw, topY + depth],
    ]),
    p.fill,
    frame,
  );
  const edge = `<rect x="${f(50 - tw)}" y="${f(topY + depth)}" width="${f(2 * tw)}" height="${f(thick)}" fill="${p.dark}"/>`;
  const inset = rng.range(2, 6);
  const backLegs =
    line(50 - tw + depth * 0.6 + inset, topY + depth, 50 - tw + depth * 0.6 + inset, floor - depth * 0.7, frame, legW) +
    line(50 + tw - depth * 0.6 - inset, topY + depth, 50 + tw - depth * 0.6 - inset, floor - depth * 0.7, frame, legW);
  const frontLegs =
    line(50 - tw + inset, topY + depth + thick, 50 - tw + inset, floor, frame, legW + 0.5) +
    line(50 + tw - inset, topY + depth + thick, 50 + tw - inset, floor, frame, legW + 0.5);
  const shelf = rng.chance(0.3) ? line(50 - tw + inset, floor - 14, 50 + tw - inset, floor - 14, frame, 2) : '';
  return shadow(50, floor, tw + 5, 2.5) + backLegs + top + edge + frontLegs + shelf;
}

function laptop(rng: Rng, p: Paint): string {
  const sw = rng.range(22, 30);
  const screenTop = rng.range(14, 26);
  const hinge = rng.range(56, 64);
  const lean = rng.range(-4, 6);
  const baseDepth = rng.range(10, 16);
  const bezel = rng.range(2, 4);
  const shell = rng.chance(0.5) ? p.metal : p.dark;
  const screen = path(
    poly([
      [50 - sw + lean, screenTop],
      [50 + sw + lean, screenTop],
      [50 + sw, hinge],
      [50 - sw, hinge],
    ]),
    shell,
    p.dark,
    1,
  );
  const display = path(
    poly([
      [50 - sw + lean + bezel, screenTop + bezel],
      [50 + sw + lean - bezel, screenTop + bezel],
      [50 + sw - bezel, hinge - bezel],
      [50 - sw + bezel, hinge - bezel],
    ]),
    p.fill,
    p.dark,
    0.6,
  );
  const spread = rng.range(6, 10);
  const base = path(
    poly([
      [50 - sw, hinge],
      [50 + sw, hinge],
      [50 + sw + spread, hinge + baseDepth],
      [50 - sw - spread, hinge + baseDepth],
    ]),
    shell,
    p.dark,
    1,
  );
  let keys = '';
  for (let r = 0; r < 3; r++) {
    const y = hinge + 2 + r * (baseDepth * 0.22);
    const w = sw + (spread * (y - hinge)) / baseDepth - 4;
    keys += line(50 - w, y, 50 + w, y, p.light, 1);
  }
  const pad = `<rect x="${f(50 - 5)}" y="${f(hinge + baseDepth * 0.7)}" width="10" height="${f(baseDepth * 0.22)}" rx="1" fill="${p.light}" fill-opacity="0.7"/>`;
  return shadow(50, hinge + baseDepth + 2, sw + spread + 3, 2) + screen + display + base + keys + pad;
}

/**
 * Every class, ordered so that a small `classes` count still includes the confusable pairs:
 * makeProductImages takes the first `classes` entries.
 */
export const PRODUCT_CLASSES: readonly ProductClass[] = [
  { name: 'sneaker', mirror: true, draw: sneaker },
  { name: 'boot', mirror: true, draw: boot },
  { name: 'mug', mirror: true, draw: mug },
  { name: 'bottle', mirror: false, draw: bottle },
  { name: 'tshirt', mirror: false, draw: tshirt },
  { name: 'dress', mirror: false, draw: dress },
  { name: 'handbag', mirror: true, draw: handbag },
  { name: 'backpack', mirror: true, draw: backpack },
  { name: 'trousers', mirror: false, draw: trousers },
  { name: 'chair', mirror: true, draw: chair },
  { name: 'lamp', mirror: false, draw: lamp },
  { name: 'watch', mirror: true, draw: watch },
  { name: 'cap', mirror: true, draw: cap },
  { name: 'glasses', mirror: false, draw: glasses },
  { name: 'umbrella', mirror: false, draw: umbrella },
  { name: 'headphones', mirror: false, draw: headphones },
  { name: 'teapot', mirror: true, draw: teapot },
  { name: 'wineglass', mirror: false, draw: wineglass },
  { name: 'table', mirror: true, draw: table },
  { name: 'laptop', mirror: false, draw: laptop },
];
