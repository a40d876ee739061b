import { offsetToCursor } from '@pothos/plugin-relay';

/** The prefix Pothos writes into offset cursors, before base64. */
const PREFIX = 'OffsetConnection:';
/** Decimal offsets only: no sign, exponent, hexadecimal, fraction or padding. */
const OFFSET = /^(0|[1-9]\d{0,9})$/;
/** Run:ai takes offsets as int32; `after` asks for the next one, so the largest cursor is one less. */
const MAX_OFFSET = 2 ** 31 - 2;

/** The cursor of the item at `offset` in a connection. */
export const cursorAt = offsetToCursor;

/** The offset a cursor of this API points at, or undefined when `cursor` is not one. */
export function cursorOffset(cursor: string): number | undefined {
  if (cursor.length > 40 || !/^[A-Za-z0-9+/]+={0,2}$/.test(cursor)) return undefined;
  const text = Buffer.from(cursor, 'base64').toString('utf8');
  if (!text.startsWith(PREFIX)) return undefined;
  const digits = text.slice(PREFIX.length);
  if (!OFFSET.test(digits)) return undefined;
  const offset = Number(digits);
  return offset <= MAX_OFFSET ? offset : undefined;
}

/**
 * The characters an event cursor of the change feed may hold (the live
 * store's entry ids): what callers send back as `after` is checked against it.
 */
export const EVENT_CURSOR_PATTERN = /^[A-Za-z0-9._-]{1,80}$/;
