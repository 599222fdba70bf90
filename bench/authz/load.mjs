// Load generator for the decision bench, run as its own process (run.mjs pins it to the other
// core): `concurrency` keep-alive HTTP/1.1 connections to the plugin's unix socket, each with
// one request in flight, replaying the mix round-robin for a fixed time. Requests are
// serialised once and answers parsed by hand (Content-Length framing) so the generator costs
// little beside the plugin. Every answer is checked against the mix's expected Allow.
//   node load.mjs --socket S --mix mix.json --concurrency 8 --duration-ms 10000 --warmup-ms 1000
// Prints one JSON object on stdout.
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { parseArgs } from 'node:util';
import { latencySummary } from './stats.mjs';

const ENDPOINT = { request: '/AuthZPlugin.AuthZReq', response: '/AuthZPlugin.AuthZRes' };

/** The bytes dockerd's plugin client sends for one exchange (it posts JSON with this Accept). */
export function requestBytes(phase, body) {
  const json = Buffer.from(JSON.stringify(body));
  const head = `POST ${ENDPOINT[phase]} HTTP/1.1\r\nHost: plugin\r\nAccept: application/vnd.docker.plugins.v1.2+json\r\nContent-Type: application/json\r\nContent-Length: ${json.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head), json]);
}

/**
 * Incremental parser of HTTP/1.1 responses framed by Content-Length (what the plugin sends).
 * `push(chunk)` returns the complete responses it finished, as `{ status, body }`.
 */
export function responseParser() {
  let buf = Buffer.alloc(0);
  return (chunk) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    const out = [];
    for (;;) {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) break;
      const head = buf.subarray(0, end).toString('latin1');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
      const len = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      if (!len || !status) throw new Error(`unframed response: ${head.slice(0, 200)}`);
      const total = end + 4 + Number(len[1]);
      if (buf.length < total) break;
      out.push({ status, body: buf.subarray(end + 4, total).toString('utf8') });
      buf = buf.subarray(total);
    }
    return out;
  };
}

export async function runLoad({ socket, mix, concurrency, durationMs, warmupMs }) {
  const wire = mix.map((m) => requestBytes(m.phase, m.body));
  let next = 0;
  const latencies = [];
  const counts = { answered: 0, completed: 0, allowed: 0, denied: 0, expectedDenied: 0, errors: 0, mismatches: 0 };
  const mismatches = [];
  const errors = [];
  const start = performance.now();
  const measureFrom = start + warmupMs;
  const stopAt = measureFrom + durationMs;

  const worker = () =>
    new Promise((resolve) => {
      const s = connect({ path: socket });
      const parse = responseParser();
      let sent = 0;
      let idx = 0;
      const send = () => {
        if (performance.now() >= stopAt) return s.end();
        idx = next++ % wire.length;
        sent = performance.now();
        s.write(wire[idx]);
      };
      s.on('connect', send);
      s.on('data', (chunk) => {
        let answers;
        try {
          answers = parse(chunk);
        } catch (err) {
          errors.push(String(err));
          counts.errors++;
          return s.destroy();
        }
        for (const a of answers) {
          const now = performance.now();
          const m = mix[idx];
          counts.answered++;
          let allow;
          let msg = '';
          try {
            const j = JSON.parse(a.body);
            allow = j.Allow;
            msg = j.Msg ?? j.Err ?? '';
          } catch {
            allow = undefined;
          }
          const measured = sent >= measureFrom && now <= stopAt;
          if (measured) {
            latencies.push(now - sent);
            counts.completed++;
            if (!m.allow) counts.expectedDenied++;
            if (allow === true) counts.allowed++;
            if (allow === false) counts.denied++;
          }
          // Every answer is checked, warm-up included; an expected denial must be a policy
          // denial (AUTHZ_DENIED), not a request the plugin failed to read.
          const ok = a.status === 200 && allow === m.allow && (m.allow || msg.startsWith('[AUTHZ_DENIED]'));
          if (!ok) {
            counts.mismatches++;
            if (mismatches.length < 10) mismatches.push({ label: m.label, expected: m.allow, status: a.status, got: a.body.slice(0, 300) });
          }
          send();
        }
      });
      s.on('error', (err) => {
        counts.errors++;
        if (errors.length < 10) errors.push(String(err));
      });
      s.on('close', resolve);
    });

  await Promise.all(Array.from({ length: concurrency }, worker));
  const l = Float64Array.from(latencies).sort();
  return { concurrency, durationMs, ...counts, perSecond: counts.completed / (durationMs / 1000), latency: latencySummary(l), mismatchExamples: mismatches, errorExamples: errors };
}

if (import.meta.main ?? process.argv[1] === new URL(import.meta.url).pathname) {
  const { values } = parseArgs({
    options: { socket: { type: 'string' }, mix: { type: 'string' }, concurrency: { type: 'string' }, 'duration-ms': { type: 'string' }, 'warmup-ms': { type: 'string' } },
  });
  const result = await runLoad({
    socket: values.socket,
    mix: JSON.parse(readFileSync(values.mix, 'utf8')),
    concurrency: Number(values.concurrency ?? 1),
    durationMs: Number(values['duration-ms'] ?? 10_000),
    warmupMs: Number(values['warmup-ms'] ?? 1000),
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
