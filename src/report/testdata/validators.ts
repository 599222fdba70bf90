import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsImport from 'ajv-formats';

/**
 * The official schemas the CI formats are checked against: OASIS SARIF 2.1.0 (the copy in
 * src/compliance/testdata, see its README) and GitLab's container scanning report schema
 * (src/report/testdata/schemas, see README.md there).
 */

const addFormats = ((addFormatsImport as unknown as { default?: unknown }).default ?? addFormatsImport) as (ajv: Ajv) => Ajv;

export const SARIF_SCHEMA = new URL('../../compliance/testdata/schemas/sarif-schema-2.1.0.json', import.meta.url).pathname;
export const GITLAB_SCHEMA = new URL('./schemas/container-scanning-report-format-15.2.4.json', import.meta.url).pathname;

function compile(path: string): (doc: unknown) => ErrorObject[] {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const validate = ajv.compile(JSON.parse(readFileSync(path, 'utf8')) as object);
  return (doc) => (validate(doc) ? [] : [...(validate.errors ?? [])]);
}

/** Schema errors of a SARIF log; empty when it is valid. */
export const sarifErrors = compile(SARIF_SCHEMA);
/** Schema errors of a GitLab container scanning report; empty when it is valid. */
export const gitlabErrors = compile(GITLAB_SCHEMA);
