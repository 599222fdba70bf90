import { z } from 'zod';

/**
 * The parts of NVD's JSON that Portcullis reads, for the CVE API 2.0
 * (https://csrc.nist.gov/schema/nvd/api/2.0/cve_api_json_2.0.schema) and the retired 1.1 data
 * feeds (nvd_cve_feed_json_1.1). Objects are loose: NVD adds fields (cveTags, cisaExploitAdd,
 * ssvcV203 metrics, …) and those must not cost a record. Arrays hold `unknown` where one bad
 * element should only cost that element; map.ts checks them one by one.
 */

export const CVE_ID = /^CVE-\d{4}-\d{4,}$/;
const items = z.array(z.unknown()).optional();

export const LangValueSchema = z.looseObject({ lang: z.string(), value: z.string() });

// --- API 2.0 -------------------------------------------------------------------------------

export const PageSchema = z.looseObject({
  format: z.string().optional(),
  version: z.string().optional(),
  totalResults: z.int().min(0).optional(),
  vulnerabilities: z.array(z.unknown()),
});

export const MetricSchema = z.looseObject({
  source: z.string().min(1),
  type: z.enum(['Primary', 'Secondary']),
  cvssData: z.looseObject({ version: z.string().optional(), vectorString: z.string().min(1) }),
});

export const METRIC_KEYS = ['cvssMetricV40', 'cvssMetricV31', 'cvssMetricV30', 'cvssMetricV2'] as const;

export const CveSchema = z.looseObject({
  id: z.string().regex(CVE_ID),
  published: z.string(),
  lastModified: z.string(),
  vulnStatus: z.string().optional(),
  metrics: z.looseObject({ cvssMetricV40: items, cvssMetricV31: items, cvssMetricV30: items, cvssMetricV2: items }).optional(),
  weaknesses: items,
  configurations: items,
  references: items,
});
export type Cve = z.infer<typeof CveSchema>;

export const WeaknessSchema = z.looseObject({ description: z.array(LangValueSchema) });

export const CpeMatchSchema = z.looseObject({ vulnerable: z.boolean(), criteria: z.string().min(1) });

export const ConfigurationSchema = z.looseObject({
  nodes: z.array(z.looseObject({ negate: z.boolean().optional(), cpeMatch: items })),
});

export const ReferenceSchema = z.looseObject({ url: z.string().min(1), tags: z.array(z.string()).optional() });

// --- 1.1 data feeds (nvdcve-1.1-YYYY.json.gz, retired in 2023) ---------------------------------

export const LegacyFeedSchema = z.looseObject({ CVE_data_format: z.string().optional(), CVE_Items: z.array(z.unknown()) });

export const LegacyItemSchema = z.looseObject({
  cve: z.looseObject({
    CVE_data_meta: z.looseObject({ ID: z.string().regex(CVE_ID) }),
    problemtype: z.looseObject({ problemtype_data: z.array(z.looseObject({ description: z.array(LangValueSchema) })) }).optional(),
    references: z.looseObject({ reference_data: items }).optional(),
    description: z.looseObject({ description_data: z.array(LangValueSchema) }).optional(),
  }),
  configurations: z.looseObject({ nodes: items }).optional(),
  impact: z
    .looseObject({
      baseMetricV3: z.looseObject({ cvssV3: z.looseObject({ vectorString: z.string().min(1) }) }).optional(),
      baseMetricV2: z.looseObject({ cvssV2: z.looseObject({ vectorString: z.string().min(1) }) }).optional(),
    })
    .optional(),
  publishedDate: z.string(),
  lastModifiedDate: z.string(),
});
export type LegacyItem = z.infer<typeof LegacyItemSchema>;

/** 1.1 nodes nest through `children`; cpe_match entries name the CPE `cpe23Uri`. */
export const LegacyNodeSchema = z.looseObject({ negate: z.boolean().optional(), children: items, cpe_match: items });
export const LegacyCpeMatchSchema = z.looseObject({ vulnerable: z.boolean(), cpe23Uri: z.string().min(1) });
