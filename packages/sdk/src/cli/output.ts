/** Where a command's results go: one JSON object per line with `--json`, short text otherwise. */
export class Output {
  constructor(readonly json: boolean) {}

  /** One result: `value` as a JSON line, or `text` for people. */
  result(value: object, text: string): void {
    process.stdout.write(`${this.json ? JSON.stringify(value) : text}\n`);
  }

  /** A line of text for people only (nothing with `--json`, so scripts read clean output). */
  say(text: string): void {
    if (!this.json) process.stdout.write(`${text}\n`);
  }

  /** A note on standard error, e.g. "reconnecting" (never mixed into results). */
  note(text: string): void {
    if (!this.json) process.stderr.write(`${text}\n`);
  }

  /** A failure on standard error, with its code (as JSON with `--json`). */
  error(code: string, message: string): void {
    const line = this.json ? JSON.stringify({ error: { code, message } }) : `salon: ${code}: ${message}`;
    process.stderr.write(`${line}\n`);
  }
}
