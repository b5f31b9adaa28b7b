/**
 * A sparkline as inline SVG, built with DOM APIs: no markup string is ever
 * parsed, so nothing from a notebook can become markup.
 */
import { sparklineGeometry } from './data';

const SVG_NS = 'http://www.w3.org/2000/svg';

/** The class of a sparkline's `<svg>`. */
export const SPARKLINE_CLASS = 'jp-NbCompare-sparkline';

/** Options of {@link createSparkline}. */
export interface ISparklineOptions {
  width?: number;
  height?: number;
  /** The accessible description (set as the SVG's `<title>` text). */
  label: string;
}

/**
 * An `<svg>` drawing `values` (oldest first; `null` is a gap) as a line
 * with a dot on the latest value. Colours come from CSS (`--jp-*`).
 */
export function createSparkline(
  values: (number | null)[],
  options: ISparklineOptions
): SVGSVGElement {
  const width = options.width ?? 48;
  const height = options.height ?? 14;
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('class', SPARKLINE_CLASS);
  svg.setAttribute('width', String(width));
  svg.setAttribute('height', String(height));
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', options.label);
  const title = document.createElementNS(SVG_NS, 'title');
  title.textContent = options.label;
  svg.appendChild(title);

  const geometry = sparklineGeometry(values, width, height);
  for (const band of geometry.bands) {
    const area = document.createElementNS(SVG_NS, 'polygon');
    area.setAttribute('class', `${SPARKLINE_CLASS}-band`);
    area.setAttribute('points', band.map(p => p.join(',')).join(' '));
    svg.appendChild(area);
  }
  for (const segment of geometry.segments) {
    if (segment.length === 1) {
      const dot = document.createElementNS(SVG_NS, 'circle');
      dot.setAttribute('class', `${SPARKLINE_CLASS}-point`);
      dot.setAttribute('cx', String(segment[0][0]));
      dot.setAttribute('cy', String(segment[0][1]));
      dot.setAttribute('r', '1');
      svg.appendChild(dot);
      continue;
    }
    const line = document.createElementNS(SVG_NS, 'polyline');
    line.setAttribute('class', `${SPARKLINE_CLASS}-line`);
    line.setAttribute('points', segment.map(p => p.join(',')).join(' '));
    svg.appendChild(line);
  }
  if (geometry.last) {
    const dot = document.createElementNS(SVG_NS, 'circle');
    dot.setAttribute('class', `${SPARKLINE_CLASS}-last`);
    dot.setAttribute('cx', String(geometry.last[0]));
    dot.setAttribute('cy', String(geometry.last[1]));
    dot.setAttribute('r', '1.5');
    svg.appendChild(dot);
  }
  return svg;
}
