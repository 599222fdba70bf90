/** Types of case.mjs for the TypeScript test that imports it (src/policy/bench-result.test.ts). */
export function benchCase(n?: number): { input: unknown; policyText: string; rules: unknown[]; exceptions: unknown[] };
