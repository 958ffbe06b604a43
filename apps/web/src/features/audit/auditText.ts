/** Translation key of an audit action: "member.role" -> "audit.actions.member_role". */
export function auditActionKey(action: string): string {
  return `audit.actions.${action.replace(/[^a-z0-9_]/gi, '_')}`;
}

/** An entry's details as "key: value" pairs for display; empty values (e.g. no reason given) are left out. */
export function auditDetails(details: Record<string, unknown>): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(details)) {
    if (value === undefined || value === '') continue;
    const text = value === null ? '∅' : typeof value === 'object' ? JSON.stringify(value) : String(value);
    pairs.push([key, text]);
  }
  return pairs;
}
