// A hand-written SVG line plot (no charting dependency: the dashboard needs two small plots, a
// library would be most of its weight). Values are drawn over a 300 x 100 view box.
const SVG = 'http://www.w3.org/2000/svg';
const W = 300;
const H = 100;

export function drawLine(svg: SVGSVGElement, values: number[], max?: number): void {
  const top = max ?? Math.max(1e-9, ...values);
  const step = values.length > 1 ? W / (values.length - 1) : W;
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(H - (Math.min(v, top) / top) * (H - 4) - 2).toFixed(1)}`);
  svg.replaceChildren();
  const axis = document.createElementNS(SVG, 'line');
  for (const [k, v] of [['x1', '0'], ['y1', `${H - 1}`], ['x2', `${W}`], ['y2', `${H - 1}`], ['stroke', '#ccc']]) axis.setAttribute(k, v);
  svg.append(axis);
  if (points.length < 2) return;
  const line = document.createElementNS(SVG, 'polyline');
  line.setAttribute('points', points.join(' '));
  line.setAttribute('fill', 'none');
  line.setAttribute('stroke', '#2a6df4');
  line.setAttribute('stroke-width', '1.5');
  line.setAttribute('vector-effect', 'non-scaling-stroke');
  svg.append(line);
}
