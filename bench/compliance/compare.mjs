// Per-check comparison of `portcullis compliance` with docker-bench-security. Both number their
// checks after CIS Docker Benchmark v1.6.0, so the peer's `5.4` is our `cis-docker-5.4`.
// The peer reports one result per check (aggregated over containers); so does our report
// (checks[].status: fail > warn > pass > skip over the per-container results).
import { readFileSync } from 'node:fs';

/** The peer's results in our vocabulary. WARN is its scored failure; INFO and NOTE are unscored. */
export const PEER_TO_OURS = { PASS: 'pass', WARN: 'fail', INFO: 'warn', NOTE: 'skip' };

/**
 * Pairs that say the same thing in the two vocabularies, when the mapped statuses differ.
 * WARN/warn: both flag it; ours asks a person to confirm (docker group members, a distribution
 * engine). INFO "not found"/"No TLS …"/"No containers": the peer's way of saying not applicable.
 */
function equivalent(peer, ours) {
  if (peer.result === 'WARN' && ours === 'warn') return 'both flag it; ours asks a person to confirm';
  if (peer.result === 'INFO' && ours === 'skip' && /not found|^No |no containers/i.test(peer.details ?? '')) return `not applicable on both sides (peer: ${peer.details})`;
  return undefined;
}

/**
 * Every disagreement seen on the benchmark host (2 cores, Debian 12, dockerd 20.10.24 started by
 * run.sh, no auditd, no AppArmor/SELinux), investigated in bench/compliance/README.md.
 * `design`: the two decide differently on purpose; `peer`: the peer's test is misled on this
 * host (it looks at a file the daemon under test does not use); `gap`: ours does not look where
 * it should (a follow-up). A disagreement not listed here prints UNEXPLAINED.
 */
export const KNOWN = {
  '1.1.1': ['peer', 'dockerd bind-mounts its data root onto itself, so `mountpoint -q` passes; ours sees the bind mount is of the root file system (same device) and fails'],
  '1.1.2': ['design', 'the peer only lists the docker group (INFO) unless -u names trusted users; ours passes when the group has no members'],
  '1.1.8': ['peer', 'the peer audits the first containerd.sock that `find /run` lists (if any), whichever daemon it belongs to; ours audits the socket the bench daemon dials, its own containerd under --exec-root'],
  '2.7': ['design', 'no TCP listener: the peer reports INFO "not listening on TCP", ours passes (nothing to protect)'],
  '2.18': ['design', 'the peer retires the check on engines newer than 19.03 (INFO, "Deprecated"); ours still checks that experimental is off'],
  '3.23': ['peer', 'the peer only looks at /run/containerd/containerd.sock, which no containerd serves here ("File not found"); ours examines the socket the bench daemon dials, <exec-root>/containerd/containerd.sock'],
  '3.24': ['peer', 'as 3.23: the peer only looks at /run/containerd/containerd.sock; ours examines the bench daemon\'s <exec-root>/containerd/containerd.sock'],
  '4.7': ['design', 'an imported image has no build history: ours skips (nothing to judge), the peer passes (no "update" in `docker history`)'],
  '4.9': ['design', 'as 4.7: ours skips without build history, the peer passes (no ADD in `docker history`)'],
  '5.2': ['design', 'AppArmor is not enabled here: the peer WARNs on the empty profile, ours skips (CIS: "if applicable")'],
  '5.3': ['design', 'SELinux is not enabled in the daemon: the peer WARNs on any container without a security option, ours skips (CIS: "if applicable")'],
  '6.1': ['design', 'the peer only counts images (INFO); ours passes when every image is used by a container'],
  '6.2': ['design', 'the peer only counts containers (INFO); ours passes when every container is running'],
};

/** The peer's JSON log (`-l FILE` writes FILE.json): `tests[].results[]` with id, result, details. */
export function readPeerLog(jsonPath) {
  const doc = JSON.parse(readFileSync(jsonPath, 'utf8'));
  const out = new Map();
  for (const section of doc.tests ?? []) for (const r of section.results ?? []) if (r.id && r.result) out.set(r.id, { result: r.result, details: r.details ?? '' });
  return { version: doc.dockerbenchsecurity, results: out };
}

/** Our reports' check statuses by CIS number (`cis-docker-5.4` → `5.4`). */
export function oursByNumber(reports) {
  const out = new Map();
  for (const report of reports) {
    for (const c of report.checks) {
      const m = /^cis-docker-(\d+(?:\.\d+)+)$/.exec(c.id);
      if (m) out.set(m[1], { status: c.status, reason: c.results.find((r) => r.status === c.status)?.reason ?? '' });
    }
  }
  return out;
}

const byNumber = (a, b) => {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? -1) !== (y[i] ?? -1)) return (x[i] ?? -1) - (y[i] ?? -1);
  return 0;
};

/** One row per check both implement: same, equivalent (documented pair) or differ (with the investigation). */
export function compare(peer, ours) {
  const rows = [];
  // NOTE is the peer's "check this by hand": it implements nothing there, so there is nothing to compare.
  const manualInPeer = [...peer.keys()].filter((k) => peer.get(k).result === 'NOTE' && ours.has(k)).sort(byNumber);
  for (const id of [...peer.keys()].filter((k) => ours.has(k) && !manualInPeer.includes(k)).sort(byNumber)) {
    const p = peer.get(id);
    const o = ours.get(id);
    const mapped = PEER_TO_OURS[p.result] ?? '?';
    const eq = mapped === o.status ? undefined : equivalent(p, o.status);
    const verdict = mapped === o.status ? 'same' : eq ? 'equivalent' : 'differ';
    const known = KNOWN[id];
    const note = verdict === 'equivalent' ? eq : verdict === 'differ' ? (known ? `${known[0]}: ${known[1]}` : 'UNEXPLAINED') : '';
    rows.push({ id, peer: p.result, mapped, ours: o.status, verdict, note });
  }
  return {
    rows,
    manualInPeer,
    onlyPeer: [...peer.keys()].filter((k) => !ours.has(k)).sort(byNumber),
    onlyOurs: [...ours.keys()].filter((k) => !peer.has(k)).sort(byNumber),
  };
}

export function renderTable({ rows, manualInPeer, onlyPeer, onlyOurs }) {
  const lines = ['', 'per-check comparison (peer result → our vocabulary: PASS→pass, WARN→fail, INFO→warn, NOTE→skip)', '  check    peer  (as ours)  ours   verdict     note'];
  for (const r of rows) lines.push(`  ${r.id.padEnd(8)} ${r.peer.padEnd(5)} (${r.mapped.padEnd(4)})     ${r.ours.padEnd(6)} ${r.verdict.padEnd(11)} ${r.note}`);
  lines.push(`  manual in the peer (NOTE), automated in ours, not compared: ${manualInPeer.join(' ') || 'none'}`);
  lines.push(`  only the peer reports (manual in ours): ${onlyPeer.join(' ') || 'none'}`);
  lines.push(`  only ours reports: ${onlyOurs.join(' ') || 'none'}`);
  return lines.join('\n');
}
