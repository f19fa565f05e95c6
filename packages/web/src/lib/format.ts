import type { Json } from './api-types';

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** A timestamp from the API, in the user's locale. */
export const formatDateTime = (iso: string | null | undefined) =>
  iso ? dateTime.format(new Date(iso)) : '—';

/** How long from `start` to `end` (or now), e.g. "4 s", "2 min 5 s". */
export function formatDuration(start: string | null | undefined, end: string | null | undefined): string {
  if (!start) return '—';
  const seconds = Math.max(0, Math.round(((end ? Date.parse(end) : Date.now()) - Date.parse(start)) / 1000));
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** A JSON value for a table cell: strings as they are, the rest as JSON. */
export const formatValue = (value: Json | undefined) =>
  value === null || value === undefined ? '—' : typeof value === 'string' ? value : JSON.stringify(value);

/** "1 to add, 0 to change, 0 to destroy", as tofu says it. */
export const formatCounts = (s: { add: number; change: number; destroy: number }) =>
  `${s.add} to add, ${s.change} to change, ${s.destroy} to destroy`;

// Words a plain capital letter gets wrong.
const CATEGORY_WORDS: Record<string, string> = { devops: 'DevOps', ci: 'CI', aws: 'AWS', iot: 'IoT' };

/** A catalog category as people write it: "database" -> "Database", "devops" -> "DevOps". */
export const categoryLabel = (category: string) =>
  category
    .split(/[-_\s]+/)
    .filter(Boolean)
    .map((word) => CATEGORY_WORDS[word.toLowerCase()] ?? `${word[0]!.toUpperCase()}${word.slice(1)}`)
    .join(' ');
