/**
 * Date parsing shared by the record and file readers. Strings without a zone are read as UTC,
 * because a table must not change meaning with the machine's time zone.
 */

const ISO_WITHOUT_ZONE = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/;
const ISO_DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const MS_PER_DAY = 86_400_000;

/** Milliseconds since the Unix epoch (UTC) for an ISO-8601 date or date-time string; NaN if unparseable. */
export function parseDateString(text: string): number {
  const trimmed = text.trim();
  if (ISO_DATE_ONLY.test(trimmed)) return Date.parse(`${trimmed}T00:00:00Z`);
  const withoutZone = ISO_WITHOUT_ZONE.exec(trimmed);
  if (withoutZone) return Date.parse(`${withoutZone[1]}T${withoutZone[2]}Z`);
  return Date.parse(trimmed);
}

/** Whole days since the Unix epoch (floor) for an epoch-milliseconds instant. */
export function epochDay(epochMs: number): number {
  return Math.floor(epochMs / MS_PER_DAY);
}

export { MS_PER_DAY };
