// What the browser benchmarks read from /proc: the Chromiums this node process started (for the
// last-resort kill: playwright's Browser from launch() does not expose its pid), the CPU time of
// process trees and of the whole machine (on a shared machine the wall time depends on the share
// of the cores a process got; the CPU time it spent does not).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 1000 / (Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100);

// Every process: pid, parent, name (comm) and utime + stime in ms.
function processes() {
  const procs = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      procs.push({ pid: Number(p), ppid: Number(f[1]), name, cpuMs: (Number(f[11]) + Number(f[12])) * TICK_MS });
    } catch {} // the process ended while we read
  }
  return procs;
}

// Chromium processes that are children of this node process.
export function ownChromiumPids() {
  return processes()
    .filter((q) => q.ppid === process.pid && /chrom/.test(q.name))
    .map((q) => q.pid);
}

// The given processes and all their descendants, from one reading of `procs`.
function subtree(procs, roots) {
  const mine = new Set(roots);
  for (let grew = true; grew; ) {
    grew = false;
    for (const q of procs) if (!mine.has(q.pid) && mine.has(q.ppid)) (mine.add(q.pid), (grew = true));
  }
  return procs.filter((q) => mine.has(q.pid));
}

const sumCpuMs = (procs) => procs.reduce((n, q) => n + q.cpuMs, 0);

// CPU time (ms) of the given processes and all their descendants.
export const treeCpuMs = (roots) => sumCpuMs(subtree(processes(), roots));

// Every process below this node process (browsers and their helpers, servers it started), with
// pid, ppid, name and cpuMs.
export function descendants() {
  const procs = processes();
  return subtree(procs, procs.filter((q) => q.ppid === process.pid).map((q) => q.pid));
}

// CPU time (ms) of every process below this node process.
export const descendantsCpuMs = () => sumCpuMs(descendants());

// The whole machine's CPU time since boot (ms, all cores): total and busy (not idle or iowait).
export function machineCpuMs() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return { totalMs: total * TICK_MS, busyMs: (total - f[3] - (f[4] || 0)) * TICK_MS };
}

// CPU time (ms) of every process under the Chromiums this node process started (browsers,
// renderers, network and GPU processes).
export const browsersCpuMs = () => treeCpuMs(ownChromiumPids());

// The last-resort clean-up of a browser harness: close every visitor, then kill any Chromium of
// ours that is left (a crashed page can leave one running).
export async function closeBrowsers(visitors) {
  for (const v of [...visitors]) await v.close().catch(() => {});
  for (const pid of ownChromiumPids()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {} // gone meanwhile
  }
}
