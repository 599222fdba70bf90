import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PortcullisError } from '../../core/errors.js';
import type { Endpoint } from '../../image/daemon/engine.js';
import { type Known, known, unknown } from '../outcome.js';
import { auditCapabilities, type CapabilityAudit, configuredCaps, type ProcessStatus, parseProcStatus } from './capabilities.js';
import type { DaemonInput } from './daemon-input.js';
import { engineRead, mapLimit } from './engine-client.js';
import { type ContainerInspect, ContainerInspectSchema, ContainerSummarySchema, ContainerTopSchema } from './engine-schemas.js';

/** One container as the section 5 checks see it: its configuration, its processes, its daemon. */
export interface ContainerInput {
  readonly id: string;
  /** Name without the leading slash. */
  readonly name: string;
  readonly inspect: ContainerInspect;
  readonly running: boolean;
  /** /proc/<pid>/status of each process (`GET /containers/{id}/top` names them); unknown when not running. */
  readonly processes: Known<readonly ProcessStatus[]>;
  readonly capabilities: CapabilityAudit;
  readonly daemon: DaemonInput;
}

export interface ContainerGatherOptions {
  readonly ep: Endpoint;
  readonly daemon: DaemonInput;
  /** Containers by id or name; empty: every running container (or every one with `all`). */
  readonly refs: readonly string[];
  readonly all?: boolean;
  readonly procRoot?: string;
  readonly signal?: AbortSignal;
}

const MAX_PROCESSES = 512;

function readProcesses(procRoot: string, pids: readonly number[]): Known<ProcessStatus[]> {
  const out: ProcessStatus[] = [];
  const errors: string[] = [];
  for (const pid of pids.slice(0, MAX_PROCESSES)) {
    try {
      out.push(parseProcStatus(pid, readFileSync(join(procRoot, String(pid), 'status'), 'utf8')));
    } catch (err) {
      // A process that exited between `top` and now is not an error.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') errors.push(`${pid}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  if (out.length === 0) return unknown(errors.length ? `cannot read process status: ${errors.join(', ')}` : 'no process of the container is visible in /proc');
  return known(out);
}

async function processesOf(opts: ContainerGatherOptions, inspect: ContainerInspect): Promise<Known<ProcessStatus[]>> {
  if (inspect.State?.Running !== true) return unknown(`container is ${inspect.State?.Status ?? 'not running'}`);
  const top = await engineRead(opts.ep, `/containers/${encodeURIComponent(inspect.Id)}/top`, ContainerTopSchema, opts.signal);
  if (!top.known) return unknown(top.reason);
  const col = top.value.Titles.indexOf('PID');
  if (col < 0) return unknown('the daemon listed the processes without a PID column');
  const pids = (top.value.Processes ?? []).map((row) => Number(row[col])).filter((n) => Number.isInteger(n) && n > 0);
  return readProcesses(opts.procRoot ?? '/proc', pids);
}

async function one(opts: ContainerGatherOptions, ref: string): Promise<ContainerInput> {
  const inspect = await engineRead(opts.ep, `/containers/${encodeURIComponent(ref)}/json`, ContainerInspectSchema, opts.signal);
  if (!inspect.known) throw new PortcullisError('COMPLIANCE_TARGET', `cannot inspect container ${ref}: ${inspect.reason}`, { reference: ref, daemon: opts.ep.display });
  const c = inspect.value;
  const processes = await processesOf(opts, c);
  const hc = c.HostConfig ?? {};
  const configured = configuredCaps(hc.Privileged === true, hc.CapAdd ?? [], hc.CapDrop ?? []);
  return {
    id: c.Id,
    name: (c.Name ?? c.Id.slice(0, 12)).replace(/^\//, ''),
    inspect: c,
    running: c.State?.Running === true,
    processes,
    capabilities: auditCapabilities(configured, processes.known ? processes.value : []),
    daemon: opts.daemon,
  };
}

export async function gatherContainers(opts: ContainerGatherOptions): Promise<ContainerInput[]> {
  let refs = opts.refs;
  if (refs.length === 0) {
    const list = await engineRead(opts.ep, `/containers/json${opts.all ? '?all=1' : ''}`, ContainerSummarySchema, opts.signal);
    if (!list.known) throw new PortcullisError('COMPLIANCE_TARGET', `cannot list containers: ${list.reason}`, { daemon: opts.ep.display });
    refs = list.value.map((c) => c.Id);
  }
  return mapLimit(refs, 8, (ref) => one(opts, ref));
}
