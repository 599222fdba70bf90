import type { Evidence, Outcome } from './types.js';

/** Outcome constructors: warn and skip always carry a reason, so a silent skip cannot be written. */
export const pass = (evidence: readonly Evidence[] = []): Outcome => ({ status: 'pass', evidence });

export const fail = (evidence: readonly Evidence[], reason?: string): Outcome => ({ status: 'fail', evidence, ...(reason ? { reason } : {}) });

export const warn = (reason: string, evidence: readonly Evidence[] = []): Outcome => ({ status: 'warn', reason, evidence });

export const skip = (reason: string): Outcome => ({ status: 'skip', reason, evidence: [] });

/** A value read from an input, or why it could not be read. */
export type Known<T> = { readonly known: true; readonly value: T } | { readonly known: false; readonly reason: string };

export const known = <T>(value: T): Known<T> => ({ known: true, value });
export const unknown = <T = never>(reason: string): Known<T> => ({ known: false, reason });

/** Evidence lists are capped so a container with 10,000 setuid files does not flood a report. */
export const MAX_EVIDENCE = 50;

export function capped(evidence: readonly Evidence[], subject?: string): Evidence[] {
  if (evidence.length <= MAX_EVIDENCE) return [...evidence];
  return [...evidence.slice(0, MAX_EVIDENCE), { ...(subject ? { subject } : {}), message: `… and ${evidence.length - MAX_EVIDENCE} more` }];
}
