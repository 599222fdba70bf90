import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsImport from 'ajv-formats';

/**
 * The official JSON schemas our documents are checked against, vendored beside the code that
 * writes them (each folder's README names the origin): CycloneDX 1.6 and SPDX 2.3
 * (src/sbom/testdata/schemas), OASIS SARIF 2.1.0 (src/compliance/testdata/schemas), GitLab's
 * container scanning report 15.2.4 (src/report/testdata/schemas).
 */

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = ((addFormatsImport as unknown as { default?: unknown }).default ?? addFormatsImport) as (ajv: Ajv) => Ajv;

const SRC = new URL('../../src/', import.meta.url);
const schema = (rel: string): object => JSON.parse(readFileSync(new URL(rel, SRC), 'utf8')) as object;

export const SARIF_SCHEMA = new URL('compliance/testdata/schemas/sarif-schema-2.1.0.json', SRC).pathname;
export const GITLAB_SCHEMA = new URL('report/testdata/schemas/container-scanning-report-format-15.2.4.json', SRC).pathname;

function compile(main: string, extra: readonly string[] = []): (doc: unknown) => ErrorObject[] {
  // strict: false because the official schemas carry annotation keywords ajv does not know.
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  // Formats CycloneDX uses that ajv-formats lacks: checked loosely, never ignored.
  ajv.addFormat('iri-reference', /^\S*$/u);
  ajv.addFormat('idn-email', /^[^\s@]+@[^\s@]+$/u);
  for (const rel of extra) ajv.addSchema(schema(rel));
  const validate = ajv.compile(schema(main));
  return (doc) => (validate(doc) ? [] : [...(validate.errors ?? [])]);
}

/** Schema errors of a CycloneDX 1.6 document; empty when it is valid. */
export const cyclonedxErrors = compile('sbom/testdata/schemas/bom-1.6.schema.json', ['sbom/testdata/schemas/spdx.schema.json', 'sbom/testdata/schemas/jsf-0.82.schema.json']);
/** Schema errors of an SPDX 2.3 document; empty when it is valid. */
export const spdxErrors = compile('sbom/testdata/schemas/spdx-2.3.schema.json');
/** Schema errors of a SARIF log; empty when it is valid. */
export const sarifErrors = compile('compliance/testdata/schemas/sarif-schema-2.1.0.json');
/** Schema errors of a GitLab container scanning report; empty when it is valid. */
export const gitlabErrors = compile('report/testdata/schemas/container-scanning-report-format-15.2.4.json');
