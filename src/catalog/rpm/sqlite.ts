import Database from 'better-sqlite3';
import { type DbRead, FormatError, messageOf } from './db-read.js';

/**
 * rpm ≥ 4.16's sqlite backend (`rpmdb.sqlite`): table `Packages(hnum INTEGER PRIMARY KEY,
 * blob BLOB)`, one header blob per row. See rpm's lib/backend/sqlite.c.
 */
export function readSqlite(content: Buffer): DbRead {
  const errors: string[] = [];
  const blobs: Buffer[] = [];
  let db: Database.Database | undefined;
  try {
    db = new Database(toRollbackJournal(content), { readonly: true });
    checkPlainTable(db);
    // Blobs of a real table are stored in the file, so their sum cannot exceed its size; a
    // corrupt file claiming more is cut off here. length() does not load the blob itself.
    let budget = content.length;
    const sizes = db.prepare('SELECT rowid, length(blob), typeof(blob) FROM Packages ORDER BY rowid').raw().all() as [number, number, string][];
    const one = db.prepare('SELECT blob FROM Packages WHERE rowid = ?').pluck();
    for (const [rowid, length, type] of sizes) {
      if (type !== 'blob') {
        errors.push(`row ${rowid} of Packages holds a ${type}, not a header blob`);
        continue;
      }
      budget -= length;
      if (budget < 0) {
        errors.push(`blobs add up to more than the file size at row ${rowid}; the database is corrupt`);
        break;
      }
      const blob = one.get(rowid);
      if (Buffer.isBuffer(blob)) blobs.push(blob);
    }
  } catch (err) {
    errors.push(`sqlite database cannot be read: ${messageOf(err)}`);
  } finally {
    db?.close();
  }
  return { blobs, errors };
}

/**
 * The file is untrusted: a view, a virtual table or a generated column named `Packages`
 * could make a SELECT run forever or build huge values, so only a plain table is read.
 */
function checkPlainTable(db: Database.Database): void {
  const row = db.prepare("SELECT type, sql FROM sqlite_master WHERE name = 'Packages'").get() as { type: string; sql: string | null } | undefined;
  if (!row) throw new FormatError('there is no Packages table');
  if (row.type !== 'table' || !/^\s*CREATE\s+TABLE\b/i.test(row.sql ?? '')) throw new FormatError(`Packages is a ${row.type} defined as ${JSON.stringify(row.sql)}, not a plain table`);
  const generated = db.prepare("SELECT count(*) FROM pragma_table_xinfo('Packages') WHERE hidden <> 0").pluck().get();
  if (generated !== 0) throw new FormatError('Packages has generated or hidden columns');
}

/**
 * rpm keeps its database in WAL mode (header bytes 18/19 = 2). SQLite cannot open a WAL
 * database deserialized into memory, so a copy is marked as a rollback-journal database
 * (bytes 18/19 = 1); the content is the same. https://www.sqlite.org/fileformat.html#file_format_version_numbers
 */
function toRollbackJournal(content: Buffer): Buffer {
  if (content.length < 100 || content[18] !== 2 || content[19] !== 2) return content;
  const copy = Buffer.from(content);
  copy[18] = 1;
  copy[19] = 1;
  return copy;
}
