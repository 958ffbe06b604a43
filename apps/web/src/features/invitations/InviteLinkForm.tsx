import type { InviteLink, Room } from '@salon/protocol';
import { type FormEvent, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { governanceApi } from '../../api';
import { FormError } from '../../ui/FormError';
import { useAsyncAction } from '../../ui/useAsyncAction';
import { formatFullTime } from '../chat/formatTime';
import { DEFAULT_LINK_EXPIRY, DEFAULT_LINK_MAX_USES, LINK_EXPIRIES, MAX_LINK_USES } from '../governance/durations';
import { can } from '../governance/permissions';
import { inviteUrl } from './inviteLink';

type CopyState = 'idle' | 'copied' | 'manual';

/** Creates a shareable link (`/#invite=<token>`); the token is shown once, so it can only be copied now. */
export function InviteLinkForm({ room }: { room: Room }) {
  const { t, i18n } = useTranslation();
  const [expiry, setExpiry] = useState(DEFAULT_LINK_EXPIRY);
  const [maxUses, setMaxUses] = useState(String(DEFAULT_LINK_MAX_USES));
  const [link, setLink] = useState<InviteLink | null>(null);
  const [revoked, setRevoked] = useState(false);
  const [copy, setCopy] = useState<CopyState>('idle');
  const { busy, error, run } = useAsyncAction();
  const linkInput = useRef<HTMLInputElement>(null);
  const url = link ? inviteUrl(location.origin, link.token) : '';

  const create = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      setLink(await governanceApi.createLink(room.id, expiry, Number(maxUses)));
      setRevoked(false);
      setCopy('idle');
    });
  };

  const copyLink = async () => {
    try {
      // Missing outside secure contexts (plain HTTP), and refused without the clipboard permission.
      if (!navigator.clipboard) throw new Error('no clipboard');
      await navigator.clipboard.writeText(url);
      setCopy('copied');
    } catch {
      linkInput.current?.focus();
      linkInput.current?.select();
      setCopy('manual');
    }
  };

  const revoke = (token: string) =>
    void run(async () => {
      await governanceApi.revokeLink(room.id, token);
      setRevoked(true);
    });

  return (
    <form className="dialog-section" onSubmit={create}>
      <h3>{t('invitations.linkTitle')}</h3>
      <p className="muted small">{t('invitations.linkHint')}</p>
      <div className="field-row">
        <label>
          {t('invitations.expiry')}
          <select data-testid="link-expiry" value={expiry} onChange={(e) => setExpiry(Number(e.target.value))}>
            {LINK_EXPIRIES.map((option) => (
              <option key={option.key} value={option.seconds}>
                {t(`durations.${option.key}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('invitations.maxUses')}
          <input
            data-testid="link-max-uses"
            type="number"
            min={1}
            max={MAX_LINK_USES}
            step={1}
            value={maxUses}
            onChange={(e) => setMaxUses(e.target.value)}
            required
          />
        </label>
        <button type="submit" className="primary" data-testid="link-create" disabled={busy}>
          {t('invitations.createLink')}
        </button>
      </div>
      <FormError error={error} />
      {link && !revoked && (
        <div className="invite-link" data-testid="invite-link-box">
          <label>
            {t('invitations.link')}
            <div className="field-row">
              <input
                ref={linkInput}
                data-testid="invite-link"
                readOnly
                value={url}
                onFocus={(e) => e.target.select()}
              />
              <button type="button" data-testid="invite-link-copy" onClick={() => void copyLink()}>
                {t('invitations.copy')}
              </button>
            </div>
          </label>
          {copy !== 'idle' && (
            <p className="muted small" role="status" data-testid="invite-link-copy-status" data-state={copy}>
              {copy === 'copied' ? t('invitations.copied') : t('invitations.copyManually')}
            </p>
          )}
          <p className="muted small">
            {t('invitations.linkInfo', { time: formatFullTime(link.expiresAt, i18n.language), uses: link.maxUses })}
          </p>
          {can(room.role, 'invitation.revoke') && (
            <button
              type="button"
              className="link align-start"
              data-testid="invite-link-revoke"
              disabled={busy}
              onClick={() => revoke(link.token)}
            >
              {t('invitations.revoke')}
            </button>
          )}
        </div>
      )}
      {revoked && (
        <p className="muted" role="status" data-testid="invite-link-revoked">
          {t('invitations.revoked')}
        </p>
      )}
    </form>
  );
}
