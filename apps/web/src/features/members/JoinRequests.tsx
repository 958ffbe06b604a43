import type { JoinRequest } from '@salon/protocol';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { governanceApi } from '../../api';
import { useRealtime } from '../../realtime/RealtimeContext';
import { FormError } from '../../ui/FormError';
import { useAsyncAction } from '../../ui/useAsyncAction';

/** Events after which the pending requests may have changed (a new one, or another admin's decision). */
const REQUEST_EVENTS = new Set(['join_request.created', 'member.joined']);

/** Pending requests to join the room, for those who may admit people; hidden while there are none. */
export function JoinRequests({ roomId }: { roomId: string }) {
  const { t } = useTranslation();
  const client = useRealtime();
  const [requests, setRequests] = useState<JoinRequest[]>([]);
  const { busy, error, run } = useAsyncAction();

  const load = useCallback(
    () => run(async () => setRequests(await governanceApi.listJoinRequests(roomId))),
    [run, roomId],
  );

  useEffect(() => {
    void load();
    return client.on('event', (event) => {
      if (event.roomId === roomId && REQUEST_EVENTS.has(event.kind)) void load();
    });
  }, [load, client, roomId]);

  const decide = (requestId: string, approve: boolean) =>
    void run(async () => {
      await governanceApi.decideJoinRequest(roomId, requestId, approve);
      setRequests((list) => list.filter((r) => r.id !== requestId));
    });

  if (requests.length === 0 && !error) return null;
  return (
    <section className="panel-section join-requests" data-testid="join-requests">
      <h3 className="panel-title">{t('joinRequests.title')}</h3>
      <FormError error={error} />
      <ul className="member-list">
        {requests.map((request) => (
          <li
            key={request.id}
            className="member-item"
            data-testid="join-request-item"
            data-username={request.user.username}
          >
            <div className="member-row">
              <span className="member-name" title={`@${request.user.username}`}>
                {request.user.displayName}
              </span>
              <button
                type="button"
                data-testid="join-request-approve"
                disabled={busy}
                onClick={() => decide(request.id, true)}
              >
                {t('joinRequests.approve')}
              </button>
              <button
                type="button"
                data-testid="join-request-reject"
                disabled={busy}
                onClick={() => decide(request.id, false)}
              >
                {t('joinRequests.reject')}
              </button>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
