import { useTranslation } from 'react-i18next';
import type { RemovalNotice } from './useRemovalNotice';

export function RemovalNoticeText({ notice }: { notice: RemovalNotice }) {
  const { t } = useTranslation();
  const params = { room: notice.roomName, by: notice.by?.displayName ?? t('common.someone'), reason: notice.reason };
  if (notice.kind === 'deleted') return <>{t('notices.deleted', params)}</>;
  const key = notice.reason ? `${notice.kind}Reason` : notice.kind;
  return <>{t(`notices.${key}`, params)}</>;
}
