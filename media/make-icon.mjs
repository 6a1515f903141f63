// Renders media/icon.png (128×128, the Marketplace/extension icon) from an SVG drawn here:
// three clusters of class-coloured points, one of them under a magnifying lens.
// Usage: node media/make-icon.mjs
import sharp from 'sharp';
import { fileURLToPath } from 'node:url';

function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = rng(3);
const gauss = () => Math.sqrt(-2 * Math.log(Math.max(rand(), 1e-9))) * Math.cos(2 * Math.PI * rand());
const clusters = [
  { x: 38, y: 40, c: '#f28e2c' },
  { x: 86, y: 36, c: '#76b7b2' },
  { x: 48, y: 88, c: '#e15759' },
];
let dots = '';
for (const k of clusters) {
  for (let i = 0; i < 16; i++) {
    const x = k.x + gauss() * 8,
      y = k.y + gauss() * 8;
    dots += `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="3.6" fill="${k.c}"/>`;
  }
}
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 128 128">
  <defs>
    <linearGradient id="bg" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="#1d2b44"/><stop offset="1" stop-color="#0f1522"/>
    </linearGradient>
    <clipPath id="lens"><circle cx="84" cy="82" r="22"/></clipPath>
  </defs>
  <rect x="4" y="4" width="120" height="120" rx="24" fill="url(#bg)"/>
  <g opacity="0.9">${dots}</g>
  <g clip-path="url(#lens)">
    <circle cx="84" cy="82" r="22" fill="#ffffff" opacity="0.12"/>
    <circle cx="78" cy="78" r="5.5" fill="#4e79a7"/><circle cx="90" cy="86" r="5.5" fill="#4e79a7"/>
    <circle cx="86" cy="74" r="5.5" fill="#4e79a7"/><circle cx="80" cy="90" r="5.5" fill="#edc949"/>
  </g>
  <circle cx="84" cy="82" r="22" fill="none" stroke="#e8eef8" stroke-width="5"/>
  <path d="M100 98 L114 112" stroke="#e8eef8" stroke-width="9" stroke-linecap="round"/>
</svg>`;

const out = fileURLToPath(new URL('./icon.png', import.meta.url));
await sharp(Buffer.from(svg)).resize(128, 128).png({ compressionLevel: 9 }).toFile(out);
console.log(`wrote ${out}`);
