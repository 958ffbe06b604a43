import type { Role } from '@salon/protocol';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, governanceApi } from '../../api';
import { ConfirmButton } from '../../ui/ConfirmButton';
import { FormError } from '../../ui/FormError';
import { useAsyncAction } from '../../ui/useAsyncAction';
import { MUTE_DURATIONS } from '../governance/durations';
import { assignableRoles, type MemberActions } from '../governance/permissions';
import type { MemberView } from './memberEvents';

interface Props {
  roomId: string;
  member: MemberView;
  mine: Role | undefined;
  actions: MemberActions;
  muted: boolean;
  onDone: () => void;
}

const DEFAULT_MUTE = MUTE_DURATIONS[1]?.seconds ?? 3600;

/** What the current role may do to one member: change their role, mute, kick or ban them. */
export function MemberMenu({ roomId, member, mine, actions, muted, onDone }: Props) {
  const { t } = useTranslation();
  const [role, setRole] = useState<Role>(member.role);
  const [muteSeconds, setMuteSeconds] = useState(DEFAULT_MUTE);
  const [reason, setReason] = useState('');
  const { busy, error, run } = useAsyncAction();
  const name = member.user.displayName;
  const userId = member.user.id;

  const act = (action: () => Promise<unknown>) =>
    void run(async () => {
      await action();
      onDone();
    });
  const saveRole = () => act(() => governanceApi.setRole(roomId, userId, role));

  // The member may have left, or changed rank, since the list was drawn.
  const stale = (err: unknown) =>
    err instanceof ApiError && err.code === 'not_found' ? t('errors.not_found') : undefined;

  return (
    <fieldset className="member-menu" data-testid="member-actions">
      <legend className="sr-only">{t('members.menu', { name })}</legend>
      {actions.setRole && (
        <div className="menu-row" data-testid="member-set-role">
          <label className="inline-label">
            {t('members.role')}
            <select data-testid="member-role-select" value={role} onChange={(e) => setRole(e.target.value as Role)}>
              {assignableRoles(mine).map((option) => (
                <option key={option} value={option}>
                  {option === 'owner' ? t('members.transferOption') : t(`roles.${option}`)}
                </option>
              ))}
            </select>
          </label>
          <div className="menu-buttons">
            {role === 'owner' ? (
              <ConfirmButton
                testId="member-role-save"
                label={t('members.saveRole')}
                question={t('members.transferQuestion', { name })}
                confirmLabel={t('members.transferConfirm')}
                onConfirm={saveRole}
                disabled={busy}
              />
            ) : (
              <button
                type="button"
                data-testid="member-role-save"
                disabled={busy || role === member.role}
                onClick={saveRole}
              >
                {t('members.saveRole')}
              </button>
            )}
          </div>
        </div>
      )}
      {actions.mute && (
        <div className="menu-row">
          <label className="inline-label">
            {t('members.muteFor')}
            <select
              data-testid="member-mute-duration"
              value={muteSeconds}
              onChange={(e) => setMuteSeconds(Number(e.target.value))}
            >
              {MUTE_DURATIONS.map((option) => (
                <option key={option.key} value={option.seconds}>
                  {t(`durations.${option.key}`)}
                </option>
              ))}
            </select>
          </label>
          <div className="menu-buttons">
            <button
              type="button"
              data-testid="member-mute"
              disabled={busy}
              onClick={() => act(() => governanceApi.mute(roomId, userId, muteSeconds))}
            >
              {t('members.mute')}
            </button>
            {muted && (
              <button
                type="button"
                data-testid="member-unmute"
                disabled={busy}
                onClick={() => act(() => governanceApi.unmute(roomId, userId))}
              >
                {t('members.unmute')}
              </button>
            )}
          </div>
        </div>
      )}
      {(actions.kick || actions.ban) && (
        <div className="menu-row">
          <input
            data-testid="member-reason"
            aria-label={t('members.reason')}
            placeholder={t('members.reason')}
            value={reason}
            maxLength={500}
            onChange={(e) => setReason(e.target.value)}
          />
          <div className="menu-buttons">
            {actions.kick && (
              <ConfirmButton
                testId="member-kick"
                label={t('members.kick')}
                question={t('members.kickQuestion', { name })}
                confirmLabel={t('members.kick')}
                onConfirm={() => act(() => governanceApi.kick(roomId, userId, reason))}
                disabled={busy}
              />
            )}
            {actions.ban && (
              <ConfirmButton
                testId="member-ban"
                className="danger"
                label={t('members.ban')}
                question={t('members.banQuestion', { name })}
                confirmLabel={t('members.ban')}
                onConfirm={() => act(() => governanceApi.ban(roomId, userId, reason))}
                disabled={busy}
              />
            )}
          </div>
        </div>
      )}
      <FormError error={error} override={stale} />
    </fieldset>
  );
}
