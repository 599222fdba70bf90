import { z } from 'zod';

/**
 * CISA's KEV catalog, as its published JSON Schema says
 * (https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities_schema.json,
 * draft-07; a copy is in testdata/ and a test checks this schema agrees with it). The schema
 * allows extra properties (the file carries `title`), so the objects are loose.
 */

// Patterns copied from the JSON Schema; "format: date" / "date-time" as ajv-formats reads them.
const CVE_ID = /^CVE-[0-9]{4}-[0-9]{4,19}$/;
const CWE_ID = /^CWE-([0-9])+$/;
const date = z.iso.date();

export const KevVulnerabilitySchema = z.looseObject({
  cveID: z.string().regex(CVE_ID),
  vendorProject: z.string(),
  product: z.string(),
  vulnerabilityName: z.string(),
  dateAdded: date,
  shortDescription: z.string(),
  requiredAction: z.string(),
  dueDate: date,
  /** `Known` or `Unknown`; the schema leaves it a free string. */
  knownRansomwareCampaignUse: z.string().optional(),
  notes: z.string().optional(),
  cwes: z.array(z.string().regex(CWE_ID)).optional(),
});
export type KevVulnerability = z.infer<typeof KevVulnerabilitySchema>;

export const KevCatalogSchema = z.looseObject({
  catalogVersion: z.string(),
  dateReleased: z.iso.datetime({ offset: true }),
  count: z.int(),
  vulnerabilities: z.array(KevVulnerabilitySchema),
});

/** The envelope alone: entries are checked one by one so one bad entry does not cost the others. */
export const KevEnvelopeSchema = KevCatalogSchema.extend({ vulnerabilities: z.array(z.unknown()) });

/** What an entry needs to be usable at all when it fails the full schema. */
export const KevCoreSchema = z.looseObject({
  cveID: z.string().regex(CVE_ID),
  dateAdded: date,
  dueDate: date.optional().catch(undefined),
  knownRansomwareCampaignUse: z.string().optional().catch(undefined),
});
