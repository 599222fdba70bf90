import { COMPLIANCE_FIELDS } from './compliance.js';
import { CUSTOM_FIELDS } from './custom.js';
import { TRUST_FIELDS } from './trust.js';
import type { FieldDef } from './types.js';
import { VULNERABILITY_FIELDS } from './vulnerability.js';

/**
 * Every criterion a policy rule may name, sorted by name. Families live one per file; this
 * list is the only place a field becomes known (nothing registers itself by being imported).
 */
export const FIELDS: readonly FieldDef[] = [...COMPLIANCE_FIELDS, ...CUSTOM_FIELDS, ...TRUST_FIELDS, ...VULNERABILITY_FIELDS].sort((a, b) => a.name.localeCompare(b.name));

const BY_NAME: ReadonlyMap<string, FieldDef> = new Map(FIELDS.map((f) => [f.name, f]));

export function fieldByName(name: string): FieldDef | undefined {
  return BY_NAME.get(name);
}
