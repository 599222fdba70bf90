/**
 * The authorization plugin's audit log: every decision appended to a hash-chained, fsynced
 * JSON-lines log with rotation, verified by `portcullis audit verify`, optionally forwarded
 * to syslog and a webhook. docs/authz-audit.md describes the format.
 */
export { type AuditFinding, describeFinding, type FindingKind, isTamper } from './findings.js';
export { type Forwarder, type ForwarderStats } from './forward/forwarder.js';
export { formatSyslog, type SyslogOptions, syslogForwarder } from './forward/syslog.js';
export { type WebhookOptions, webhookForwarder } from './forward/webhook.js';
export { KEY_BYTES, loadAuditKey } from './key.js';
export { type AuditLog, type AuditLogOptions, type AuditLogStats, openAuditLog } from './log.js';
export { type AuditRecord, AuditRecordSchema, canonicalJson, GENESIS } from './record.js';
export { type FileSummary, type VerifyOptions, type VerifyReport, verifyAuditLog } from './verify.js';
