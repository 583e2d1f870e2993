/**
 * A QR code as SVG: the npm package `qrcode` computes the symbol (its modules), and the dark
 * modules are drawn as one path, one unit square each, inside the standard 4-module quiet zone.
 */
import { create } from 'qrcode';
import { svg } from './svg';

const QUIET_ZONE = 4;

/** An SVG QR code of `text` (error correction M), `size` CSS pixels wide. */
export function qrCodeSvg(text: string, size = 176): SVGSVGElement {
  const { modules } = create(text, { errorCorrectionLevel: 'M' });
  const n = modules.size;
  let d = '';
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < n; col++) {
      if (modules.get(row, col)) d += `M${col + QUIET_ZONE} ${row + QUIET_ZONE}h1v1h-1z`;
    }
  }
  const extent = n + 2 * QUIET_ZONE;
  return svg('svg', { class: 'qr-code', width: size, height: size, viewBox: `0 0 ${extent} ${extent}`, role: 'img', 'aria-label': `QR code of ${text}`, 'data-text': text, 'data-modules': n, 'shape-rendering': 'crispEdges' },
    svg('rect', { width: extent, height: extent, fill: '#fff' }),
    svg('path', { d, fill: '#000' }));
}
