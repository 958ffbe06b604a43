import { describe, expect, it } from 'vitest';
import { auditActionKey, auditDetails } from './auditText';

describe('audit text', () => {
  it('maps an action to a flat translation key', () => {
    expect(auditActionKey('member.role')).toBe('audit.actions.member_role');
    expect(auditActionKey('join_request.approved')).toBe('audit.actions.join_request_approved');
  });

  it('lists details as text, without empty values', () => {
    expect(auditDetails({ from: 'member', to: 'moderator', reason: '', seq: 3, retentionSeconds: null })).toEqual([
      ['from', 'member'],
      ['to', 'moderator'],
      ['seq', '3'],
      ['retentionSeconds', '∅'],
    ]);
  });
});
