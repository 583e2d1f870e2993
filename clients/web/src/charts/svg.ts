/** SVG pieces the charts share: an element builder and a container that redraws at its own width. */

const SVG_NS = 'http://www.w3.org/2000/svg';

type SvgChild = SVGElement | string | number | null | undefined | false;

/** Create an SVG element; text children are set as text (never parsed). */
export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number | null | undefined> = {}, ...children: (SvgChild | SvgChild[])[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined) continue;
    el.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof SVGElement ? child : String(child));
  }
  return el;
}

/**
 * A block that draws `draw(width)` at its own CSS width and draws again when that width changes
 * (phone rotation, window resize), so that text in the SVG keeps its size instead of scaling.
 */
export function responsive(className: string, draw: (width: number) => SVGSVGElement): HTMLDivElement {
  const box = document.createElement('div');
  box.className = className;
  let drawnAt = -1;
  const redraw = () => {
    const width = Math.floor(box.clientWidth);
    if (width <= 0 || Math.abs(width - drawnAt) < 2) return;
    drawnAt = width;
    box.replaceChildren(draw(width));
  };
  new ResizeObserver(redraw).observe(box);
  return box;
}

/** A compact number for axis labels and tooltips. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const a = Math.abs(n);
  if (a === 0) return '0';
  if (a >= 1000) return n.toFixed(0);
  if (a >= 100) return n.toFixed(1);
  if (a >= 1) return n.toFixed(2);
  return n.toPrecision(2);
}
