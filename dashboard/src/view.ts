// Renders frames into the page (dashboard/index.html). Every number also carries its raw value in
// data-value, which the end-to-end test reads.
import { SOURCES, type Frame, type Rates } from './frame';
import { drawLine } from './plot';

const HISTORY = 300; // seconds of plot

const $ = <T extends Element = HTMLElement>(id: string): T => document.getElementById(id) as unknown as T;

export function size(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(2)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

function ms(s: number): string {
  return s < 1 ? `${(s * 1000).toFixed(0)} ms` : `${s.toFixed(2)} s`;
}

function cell(text: string, value?: number, numeric = true): HTMLTableCellElement {
  const td = document.createElement('td');
  td.textContent = text;
  if (numeric) td.className = 'n';
  if (value !== undefined) td.dataset.value = String(value);
  return td;
}

function rows(table: HTMLTableElement, head: string[], body: HTMLTableCellElement[][]): void {
  const tr = document.createElement('tr');
  for (const h of head) {
    const th = document.createElement('th');
    th.textContent = h;
    tr.append(th);
  }
  const out = [tr];
  for (const cells of body) {
    const r = document.createElement('tr');
    r.append(...cells);
    out.push(r);
  }
  table.replaceChildren(...out);
}

function setNumber(id: string, text: string, value: number): void {
  const el = $(id);
  el.textContent = text;
  el.dataset.value = String(value);
}

export class View {
  private _offload: number[] = [];
  private _pairings: number[] = [];

  render(f: Frame, r: Rates | null): void {
    setNumber('peers-online', String(f.peers_online), f.peers_online);
    const c = f.cluster;
    const line = $('cluster-line');
    line.hidden = !c;
    if (c)
      line.textContent =
        `on this process; ${c.peers_online} on all ${c.processes} processes of the cluster` +
        ` (Redis ${c.redis_up ? 'up' : 'DOWN: pairing local peers only'}),` +
        ` ${c.remote_pairings} pairings across processes` +
        (c.manifest_mismatch_paths ? `, ${c.manifest_mismatch_paths} paths whose content the processes disagree on` : '');
    setNumber('saved', size(f.reported_bytes.peer), f.reported_bytes.peer);
    const total = SOURCES.reduce((n, s) => n + f.reported_bytes[s], 0);
    rows($('bytes'), ['source', 'bytes', 'share'], [
      ...SOURCES.map((s) => {
        const n = f.reported_bytes[s];
        const c = cell(size(n), n);
        c.id = `bytes-${s}`;
        return [cell(s, undefined, false), c, cell(total ? `${((100 * n) / total).toFixed(1)} %` : '–')];
      }),
      [cell('served by this server', undefined, false), cell(size(f.origin_served_bytes), f.origin_served_bytes), cell('')],
      [cell('over the per-peer cap (not counted)', undefined, false), cell(size(f.usage_clamped_bytes), f.usage_clamped_bytes), cell('')],
    ]);
    setNumber('pairings-total', String(f.pairings), f.pairings);
    rows($('paths'), ['reason', 'paths'], Object.entries(f.paths_failed).map(([k, v]) => [cell(k, undefined, false), cell(String(v), v)]));
    rows($('verification'), ['', ''], [
      [cell('verification failures', undefined, false), cell(String(f.verification_failures), f.verification_failures)],
      [cell('penalties given', undefined, false), cell(String(f.penalties), f.penalties)],
      [cell('peers penalised now', undefined, false), cell(String(f.penalised_now), f.penalised_now)],
    ]);
    const window_s = Math.round(Math.max(...SOURCES.map((s) => f.latency_s[s].window_s)));
    rows($('latency'), ['source', 'p50', 'p99', `resources (last ${window_s} s)`], SOURCES.map((s) => {
      const l = f.latency_s[s];
      return [cell(s, undefined, false), cell(l.count ? ms(l.p50) : '–', l.p50), cell(l.count ? ms(l.p99) : '–', l.p99), cell(String(l.count), l.count)];
    }));
    rows($('resources'), ['path', 'from peers', 'from this server'], f.top_resources.map((x) => [
      cell(x.path, undefined, false), cell(size(x.peer), x.peer), cell(size(x.origin), x.origin),
    ]));
    if (r) {
      this._offload = [...this._offload, r.offload].slice(-HISTORY);
      this._pairings = [...this._pairings, r.pairingsPerS].slice(-HISTORY);
      setNumber('offload-now', `${(100 * r.offload).toFixed(1)} %`, r.offload);
      setNumber('pairings-rate', r.pairingsPerS.toFixed(1), r.pairingsPerS);
      drawLine($<SVGSVGElement>('offload-plot'), this._offload, 1);
      drawLine($<SVGSVGElement>('pairings-plot'), this._pairings);
    }
    document.body.dataset.frames = String(Number(document.body.dataset.frames ?? 0) + 1);
  }
}
