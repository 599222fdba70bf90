import { formatError, toPortcullisError } from '../../core/errors.js';
import { identityFromRequest } from '../identity/index.js';
import { INTERNAL_HEADER } from '../images/gate.js';
import { decideRbac } from '../rbac/decide.js';
import { parseAuthzRequest, parseAuthzResponse } from '../request/index.js';
import type { AuditEntry, Decision, Identity, Phase, RequestFacts } from '../types.js';
import type { AuthzState } from './state.js';

/**
 * One AuthZ request or response → allow or deny, audited before the answer. Every path that
 * is not a positive decision denies: a malformed or truncated request, an unknown endpoint
 * or user, a directory that cannot answer, a configuration that did not load, an audit log
 * that cannot be written, and any bug.
 */

export interface AuthzAnswer {
  readonly Allow: boolean;
  readonly Msg?: string;
  readonly Err?: string;
}

export interface AuditSink {
  append(entry: AuditEntry): Promise<void>;
}

export interface HandlerDeps {
  state(): AuthzState;
  readonly audit: AuditSink;
  /** The secret of the plugin's own image reads (images/gate.ts). */
  readonly mark: string;
  readonly now?: () => Date;
}

/** The only calls the plugin itself makes to the daemon (image gate); read-only. */
const INTERNAL_ACTIONS = new Set(['image.inspect', 'image.history', 'image.save']);

interface Outcome {
  readonly allow: boolean;
  readonly rule: string;
  readonly reason: string;
  readonly code?: 'AUTHZ_DENIED' | 'AUTHZ_REQUEST' | 'AUTHZ_CONFIG' | 'DIRECTORY_UNREACHABLE' | 'INTERNAL';
  readonly identity?: Identity;
  readonly facts?: RequestFacts;
}

type DenyCode = NonNullable<Outcome['code']>;
const problemCode = (c: string | undefined): DenyCode => (c === 'DIRECTORY_UNREACHABLE' || c === 'AUTHZ_REQUEST' ? c : 'AUTHZ_DENIED');

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

function headerOf(headers: unknown, name: string): string | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(headers as Record<string, unknown>)) if (k.toLowerCase() === lower && typeof v === 'string') return v;
  return undefined;
}

async function decide(raw: unknown, phase: Phase, deps: HandlerDeps, s: AuthzState): Promise<Outcome> {
  if (s.failure !== undefined || !s.loaded || !s.groups) return { allow: false, rule: 'fail-closed: configuration', reason: s.failure ?? 'no configuration loaded', code: 'AUTHZ_CONFIG' };
  const spec = s.loaded.config.spec;
  const parsed = phase === 'request' ? parseAuthzRequest(raw, { maxBodyBytes: spec.limits.maxBodyBytes }) : parseAuthzResponse(raw, { maxBodyBytes: spec.limits.maxBodyBytes });
  if (!parsed.ok) return { allow: false, rule: 'fail-closed: request', reason: parsed.message, code: 'AUTHZ_REQUEST' };
  const { facts, wire } = parsed;
  const mark = headerOf(wire.RequestHeaders, INTERNAL_HEADER);
  if (mark !== undefined) {
    if (mark === deps.mark && facts.method === 'GET' && INTERNAL_ACTIONS.has(facts.action)) {
      return { allow: true, rule: 'internal: image gate read', reason: 'the plugin reads the image it is deciding about', facts, identity: { user: '(portcullis)', authn: 'none', groups: [] } };
    }
    return { allow: false, rule: 'fail-closed: forged mark', reason: `a request carries ${INTERNAL_HEADER} without the plugin's secret or for ${facts.action}`, code: 'AUTHZ_DENIED', facts };
  }
  const base = identityFromRequest(wire, spec.identity.socketUser);
  if (!base) return { allow: false, rule: 'unknown user', reason: wire.User ? `user ${JSON.stringify(wire.User)} authenticated by ${JSON.stringify(wire.UserAuthNMethod ?? '')} is not accepted` : 'no client certificate, and unix socket requests have no identity (spec.identity.socketUser)', code: 'AUTHZ_DENIED', facts };
  const lookup = await s.groups.groupsOf(base.user);
  const identity: Identity = { ...base, groups: lookup.groups };
  if (!lookup.known && !s.loaded.rbac.byUser.has(base.user)) {
    const why = lookup.problem ? `groups of ${JSON.stringify(base.user)} unavailable: ${lookup.problem.message}` : `user ${JSON.stringify(base.user)} is unknown`;
    return { allow: false, rule: 'unknown user', reason: why, code: problemCode(lookup.problem?.code), identity, facts };
  }
  // The request was allowed (dockerd asks about responses only then): the response is recorded.
  if (phase === 'response') return { allow: true, rule: 'response', reason: 'status' in parsed && parsed.status !== undefined ? `status ${parsed.status}` : 'no status (stream or HEAD)', identity, facts };
  const d = decideRbac(s.loaded.rbac, identity, facts);
  if (!d.allow) return { allow: false, rule: d.rule, reason: d.reason, code: 'AUTHZ_DENIED', identity, facts };
  if (facts.action === 'container.create' && facts.create && s.images?.active) {
    const v = await s.images.check(facts.create.image, deps.now?.() ?? new Date());
    if (!v.allow) return { allow: false, rule: v.rule, reason: v.reason, code: 'AUTHZ_DENIED', identity, facts };
    return { allow: true, rule: `${d.rule}; ${v.rule}`, reason: d.reason, identity, facts };
  }
  return { allow: true, rule: d.rule, reason: d.reason, identity, facts };
}

function entryOf(raw: unknown, phase: Phase, o: Outcome): AuditEntry {
  const r = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const status = typeof r.ResponseStatusCode === 'number' ? r.ResponseStatusCode : undefined;
  const decision: Decision = o.allow ? 'allow' : 'deny';
  return {
    phase,
    user: o.identity?.user ?? str(r.User),
    groups: o.identity?.groups ?? [],
    method: o.facts?.method ?? str(r.RequestMethod).slice(0, 16),
    uri: str(r.RequestUri).slice(0, 2048),
    action: o.facts?.action ?? 'unknown',
    ...(o.facts?.object !== undefined ? { object: o.facts.object } : {}),
    decision,
    rule: o.rule,
    reason: o.reason.slice(0, 4096),
    ...(phase === 'response' && status !== undefined ? { status } : {}),
  };
}

export async function handleAuthz(raw: unknown, phase: Phase, deps: HandlerDeps): Promise<AuthzAnswer> {
  let outcome: Outcome;
  try {
    outcome = await decide(raw, phase, deps, deps.state());
  } catch (err) {
    const e = toPortcullisError(err);
    outcome = { allow: false, rule: 'fail-closed: error', reason: formatError(e), code: e.code === 'INTERNAL' ? 'INTERNAL' : 'AUTHZ_DENIED' };
  }
  return answer(raw, phase, outcome, deps);
}

/** A wire request the server could not even read (over the size cap): denied and audited. */
export function handleUnread(phase: Phase, reason: string, deps: HandlerDeps): Promise<AuthzAnswer> {
  return answer(undefined, phase, { allow: false, rule: 'fail-closed: request', reason, code: 'AUTHZ_REQUEST' }, deps);
}

async function answer(raw: unknown, phase: Phase, outcome: Outcome, deps: HandlerDeps): Promise<AuthzAnswer> {
  try {
    await deps.audit.append(entryOf(raw, phase, outcome));
  } catch (err) {
    // Nothing is allowed that is not on record.
    return { Allow: false, Msg: `[AUTHZ_DENIED] the audit log cannot be written: ${(err as Error).message}` };
  }
  if (outcome.allow) return { Allow: true };
  return { Allow: false, Msg: `[${outcome.code ?? 'AUTHZ_DENIED'}] ${outcome.reason}` };
}
