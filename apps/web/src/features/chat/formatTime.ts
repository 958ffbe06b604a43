const sameDay = (a: Date, b: Date) => a.toDateString() === b.toDateString();

/** Short time for today's messages, date and time for older ones, in the reader's language. */
export function formatTime(iso: string, language: string, now: Date = new Date()): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const options: Intl.DateTimeFormatOptions = sameDay(date, now)
    ? { hour: '2-digit', minute: '2-digit' }
    : { dateStyle: 'medium', timeStyle: 'short' };
  return new Intl.DateTimeFormat(language, options).format(date);
}

/** Full timestamp for the tooltip. */
export function formatFullTime(iso: string, language: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(language, { dateStyle: 'full', timeStyle: 'medium' }).format(date);
}
