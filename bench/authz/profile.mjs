// Where the plugin's CPU goes: a V8 .cpuprofile (node --cpu-prof) summarised by function
// (bench/vulndb/profile.mjs, source-mapped to src/) and rolled up by area: our folders under
// src/, each npm package, Node's own http/net/fs/crypto code, GC.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { summarizeProfile } from '../vulndb/profile.mjs';

/** The area a frame's URL belongs to. */
export function areaOf(url, functionName) {
  if (!url) {
    if (/garbage collector/.test(functionName)) return '(gc)';
    if (functionName.startsWith('(')) return functionName;
    // Builtins and bindings have no script: name them (RegExp: …, writeBuffer, fdatasync…).
    return `(native) ${functionName.startsWith('RegExp:') ? 'RegExp' : functionName}`;
  }
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return `npm:${pkg[1]}`;
  const src = /\/src\/([^/]+\/[^/]+)\//.exec(url) ?? /\/src\/([^/]+)\//.exec(url);
  if (src) return `src/${src[1]}`;
  const internal = /^node:internal\/([^/]+(?:\/[^/]+)?)/.exec(url);
  if (internal) return `node:${internal[1].replace(/\.js$/, '')}`;
  return url.replace(/^node:/, 'node:').split('/').slice(-1)[0];
}

/** Self time (ms) by area, largest first, excluding idle. */
export function rollup(path) {
  const prof = JSON.parse(readFileSync(path, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map();
  let total = 0;
  prof.samples.forEach((id, i) => {
    const f = byId.get(id).callFrame;
    if (f.functionName === '(idle)') return;
    const us = prof.timeDeltas[i] ?? 0;
    total += us;
    const area = areaOf(f.url, f.functionName);
    self.set(area, (self.get(area) ?? 0) + us);
  });
  return { busyMs: total / 1000, areas: [...self].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, v / 1000]) };
}

/**
 * The samples taken inside `[fromUs, toUs]` (CLOCK_MONOTONIC µs, the clock of V8's profile
 * timestamps and of process.hrtime), so start-up (module compilation, reading the
 * configuration and the group file) stays out of a steady-state profile.
 */
export function windowProfile(prof, fromUs, toUs) {
  const samples = [];
  const timeDeltas = [];
  let t = prof.startTime;
  prof.samples.forEach((id, i) => {
    t += prof.timeDeltas[i] ?? 0;
    if (t < fromUs || t > toUs) return;
    samples.push(id);
    timeDeltas.push(prof.timeDeltas[i] ?? 0);
  });
  return { ...prof, startTime: fromUs, endTime: toUs, samples, timeDeltas };
}

/** The newest .cpuprofile in `dir`, cut to `window` ([fromUs, toUs]) when given, summarised. */
export function profileReport(dir, window, top = 12) {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile') && !f.startsWith('window-')).sort();
  if (files.length === 0) return undefined;
  let file = join(dir, files[files.length - 1]);
  if (window) {
    const cut = join(dir, `window-${files[files.length - 1]}`);
    writeFileSync(cut, JSON.stringify(windowProfile(JSON.parse(readFileSync(file, 'utf8')), window[0], window[1])));
    file = cut;
  }
  return { file, ...rollup(file), functions: summarizeProfile(file, top) };
}
