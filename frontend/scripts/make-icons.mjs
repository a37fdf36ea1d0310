// Draws the FamilyRepair mark (a heart with a stitched, mended seam) into the PNG icons under
// public/icons/. Pure Node (zlib), no image libraries: `npm run icons`. The output is committed.

import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { deflateSync } from "node:zlib";

const OUT = join(dirname(fileURLToPath(import.meta.url)), "..", "public", "icons");

const CREAM = [255, 248, 241];
const CORAL = [156, 59, 42];
const WHITE = [255, 255, 255];

const CRC_TABLE = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

function png(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

// Heart: (x² + y² − 1)³ − x² y³ ≤ 0, y pointing up; spans about x ∈ [−1.14, 1.14], y ∈ [−1, 1.25].
function inHeart(x, y) {
  const a = x * x + y * y - 1;
  return a * a * a - x * x * y * y * y <= 0;
}

const SEAM = [
  [0.0, 1.05],
  [-0.16, 0.62],
  [0.14, 0.22],
  [-0.12, -0.18],
  [0.06, -0.62],
];

function distToSegment(px, py, [ax, ay], [bx, by]) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

function onSeam(x, y) {
  for (let i = 0; i < SEAM.length - 1; i++) {
    if (distToSegment(x, y, SEAM[i], SEAM[i + 1]) < 0.05) return true;
  }
  // Stitches across the seam at each bend.
  for (let i = 1; i < SEAM.length - 1; i++) {
    const [cx, cy] = SEAM[i];
    if (distToSegment(x, y, [cx - 0.17, cy - 0.04], [cx + 0.17, cy + 0.04]) < 0.035) return true;
  }
  return false;
}

/**
 * heartScale: fraction of the canvas the heart's width takes. background: null for transparent.
 * rounded: corner radius fraction for "any" icons. mono: white-only heart for notification badges.
 */
function draw(size, { heartScale, background, rounded = 0, mono = false }) {
  const buf = Buffer.alloc(size * size * 4);
  const S = 4; // supersampling per axis
  const unit = (size * heartScale) / 2.3; // pixels per heart unit
  const cx = size / 2;
  const cy = size / 2 + unit * 0.12;
  const r = rounded * size;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let acc = [0, 0, 0, 0];
      for (let sy = 0; sy < S; sy++) {
        for (let sx = 0; sx < S; sx++) {
          const X = px + (sx + 0.5) / S;
          const Y = py + (sy + 0.5) / S;
          let col = null;
          let alpha = 0;
          if (background) {
            let inside = true;
            if (r > 0) {
              const qx = Math.max(r - X, 0, X - (size - r));
              const qy = Math.max(r - Y, 0, Y - (size - r));
              inside = qx * qx + qy * qy <= r * r;
            }
            if (inside) {
              col = background;
              alpha = 1;
            }
          }
          const hx = (X - cx) / unit;
          const hy = -(Y - cy) / unit;
          if (inHeart(hx, hy)) {
            if (mono) {
              col = onSeam(hx, hy) ? null : WHITE;
              alpha = col ? 1 : 0;
            } else {
              col = onSeam(hx, hy) ? CREAM : CORAL;
              alpha = 1;
            }
          }
          if (col) {
            acc[0] += col[0] * alpha;
            acc[1] += col[1] * alpha;
            acc[2] += col[2] * alpha;
            acc[3] += alpha;
          }
        }
      }
      const n = S * S;
      const i = (py * size + px) * 4;
      const a = acc[3] / n;
      buf[i] = a ? Math.round(acc[0] / acc[3]) : 0;
      buf[i + 1] = a ? Math.round(acc[1] / acc[3]) : 0;
      buf[i + 2] = a ? Math.round(acc[2] / acc[3]) : 0;
      buf[i + 3] = Math.round(a * 255);
    }
  }
  return png(size, buf);
}

const ICONS = [
  ["icon-192.png", 192, { heartScale: 0.72, background: CREAM, rounded: 0.22 }],
  ["icon-512.png", 512, { heartScale: 0.72, background: CREAM, rounded: 0.22 }],
  // Maskable: full bleed, the mark inside the central safe circle (80% diameter).
  ["maskable-192.png", 192, { heartScale: 0.5, background: CREAM }],
  ["maskable-512.png", 512, { heartScale: 0.5, background: CREAM }],
  // iOS rounds the corners itself and shows transparency as black.
  ["apple-touch-icon.png", 180, { heartScale: 0.66, background: CREAM }],
  ["favicon-32.png", 32, { heartScale: 0.95, background: null }],
  // Android notification badge: only the alpha channel is used.
  ["badge-96.png", 96, { heartScale: 0.85, background: null, mono: true }],
];

mkdirSync(OUT, { recursive: true });
for (const [name, size, opts] of ICONS) {
  writeFileSync(join(OUT, name), draw(size, opts));
  console.log(`wrote public/icons/${name}`);
}
