import { type AuditFinding, finding } from './findings.js';
import type { AuditRecord } from './record.js';

type At = { file?: string; line?: number };

/**
 * Follows the chain record by record: each seq is the previous plus one and each `prev` is the
 * previous hash. After a bad line it resynchronises on the next good record, so one edit
 * gives one finding rather than one for every record after it.
 */
export class ChainWalker {
  private prevSeq: number | undefined;
  private prevHash: string | undefined;
  private started = false;

  get isFirst(): boolean {
    return !this.started;
  }

  /**
   * A line that could not be checked: its seq (when readable) becomes the new base and its hash
   * is unknown; without a seq (garbage, an inserted line) the next record is not compared at all.
   */
  skip(seq: number | undefined): void {
    this.prevSeq = seq;
    this.prevHash = undefined;
    this.started = true;
  }

  check(record: AuditRecord, at: At): AuditFinding[] {
    const out: AuditFinding[] = [];
    const where = { ...at, seq: record.seq };
    if (record.kind === 'chain-break') {
      out.push(finding('chain-break', `the writer found the log did not verify when it opened it and restarted the chain here: ${record.reason}`, where));
    } else if (this.started && this.prevSeq !== undefined) {
      const p = this.prevSeq;
      if (record.seq <= p) out.push(finding('sequence', `seq ${record.seq} after seq ${p}: records reordered or duplicated`, where));
      else if (record.seq !== p + 1) out.push(finding('sequence', `seq ${record.seq} follows seq ${p}: ${record.seq - p - 1} record(s) missing here (removed or moved)`, where));
      else if (this.prevHash !== undefined && record.prev !== this.prevHash) out.push(finding('link', `prev does not match the hash of seq ${p}: a record was replaced or the chain spliced`, where));
    }
    this.prevSeq = record.seq;
    this.prevHash = record.hash;
    this.started = true;
    return out;
  }
}
