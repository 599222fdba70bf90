import { COMPLIANCE_FIELDS } from './compliance.js';
import { COUNT_FIELDS } from './count.js';
import { CUSTOM_FIELDS } from './custom.js';
import { CVSS_FIELDS } from './cvss.js';
import { EXPLOIT_FIELDS } from './exploit.js';
import { FIX_FIELDS } from './fix.js';
import { PACKAGE_FIELDS } from './packages.js';
import { PUBLISHED_FIELDS } from './published.js';
import { SEVERITY_FIELDS } from './severity.js';
import { TRUST_FIELDS } from './trust.js';
import type { FieldDef } from './types.js';

/**
 * Every criterion a policy rule may name, sorted by name. Fields live in one file per concern
 * (the vulnerability family spans count, cvss, exploit, fix, packages, published and
 * severity); this list is the only place a field becomes known (nothing registers itself by
 * being imported).
 */
export const FIELDS: readonly FieldDef[] = [
  ...COMPLIANCE_FIELDS,
  ...COUNT_FIELDS,
  ...CUSTOM_FIELDS,
  ...CVSS_FIELDS,
  ...EXPLOIT_FIELDS,
  ...FIX_FIELDS,
  ...PACKAGE_FIELDS,
  ...PUBLISHED_FIELDS,
  ...SEVERITY_FIELDS,
  ...TRUST_FIELDS,
].sort((a, b) => a.name.localeCompare(b.name));

const BY_NAME: ReadonlyMap<string, FieldDef> = new Map(FIELDS.map((f) => [f.name, f]));

export function fieldByName(name: string): FieldDef | undefined {
  return BY_NAME.get(name);
}
