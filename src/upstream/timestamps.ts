/** Run:ai timestamps: read leniently, served as canonical ISO 8601 UTC. */

/** `2025-02-10T12:00:00.000Z`, exactly as toISOString() prints it. */
const CANONICAL_RE =
  /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;
const TIMESTAMP_RE =
  /^(\d{4}-\d{2}-\d{2})(?:[Tt ](\d{2}:\d{2})(?::(\d{2}))?(?:[.,](\d+))?)?\s*([Zz]|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Whether the `YYYY-MM-DD` that `text` starts with (month 01–12, day 01–31)
 * is on the calendar. Days 29 to 31 exist only in some months: only those
 * need the Date round trip, which would otherwise roll 30 February over to
 * 2 March. Days up to 28 are decided from two character codes, without
 * allocating (thousands of timestamps per metrics answer).
 */
function isCalendarDay(text: string): boolean {
  const tens = text.charCodeAt(8);
  if (tens < 0x32 || (tens === 0x32 && text.charCodeAt(9) <= 0x38)) return true;
  const date = text.slice(0, 10);
  const day = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10) === date;
}

/** Whether `text` is already what {@link normalizeTimestamp} returns: `YYYY-MM-DDTHH:mm:ss.sssZ`, a real date. */
export function isCanonicalTimestamp(text: string): boolean {
  return text.length === 24 && CANONICAL_RE.test(text) && isCalendarDay(text);
}

/**
 * Normalizes a Run:ai timestamp to ISO 8601 UTC (`2023-06-06T12:09:18.211Z`).
 * Accepts ISO 8601 with `T` or a space, with or without zone (no zone means
 * UTC, as Run:ai renders zone-less times in UTC) and any fraction length.
 * Returns `null` when the text is not a timestamp.
 */
export function normalizeTimestamp(text: string): string | null {
  // Most timestamps already are canonical: skip the Date round trip (thousands per metrics answer).
  if (isCanonicalTimestamp(text)) return text;
  const m = TIMESTAMP_RE.exec(text.trim());
  if (!m) return null;
  const [, date = '', hm = '00:00', sec = '00', frac = '', zone = 'Z'] = m;
  if (!isCalendarDay(date)) return null;
  const ms = frac.padEnd(3, '0').slice(0, 3);
  let offset = zone.toUpperCase();
  if (offset !== 'Z') {
    const digits = offset.slice(1).replace(':', '');
    offset = `${offset[0]}${digits.slice(0, 2)}:${digits.slice(2, 4) || '00'}`;
  }
  const parsed = new Date(`${date}T${hm}:${sec}.${ms}${offset}`);
  return Number.isNaN(parsed.getTime()) ? null : parsed.toISOString();
}
