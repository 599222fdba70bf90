// The floor: the Engine API calls and /proc reads a compliance run cannot avoid, and nothing
// else (no parsing beyond JSON, no checks, no report). Same calls as portcullis makes:
// /info, /version, /images/json, /containers/json?all=1, then per container inspect + top
// (8 in flight) and /proc/<pid>/status of each process, plus the /proc scan for dockerd.
import { readFileSync, readdirSync } from 'node:fs';
import { request } from 'node:http';

function get(socketPath, path) {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, headers: { Host: 'docker' } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function mapLimit(items, limit, fn) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export async function floor(socketPath) {
  await Promise.all(['/info', '/version', '/images/json?all=0'].map((p) => get(socketPath, p)));
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      readFileSync(`/proc/${e}/cmdline`);
    } catch {}
  }
  const list = await get(socketPath, '/containers/json?all=1');
  await mapLimit(list, 8, async (c) => {
    await get(socketPath, `/containers/${c.Id}/json`);
    if (c.State !== 'running') return;
    const top = await get(socketPath, `/containers/${c.Id}/top`);
    const col = top.Titles.indexOf('PID');
    for (const row of top.Processes ?? []) {
      try {
        readFileSync(`/proc/${row[col]}/status`, 'utf8');
      } catch {}
    }
  });
  return list.length;
}
