import { useTranslation } from 'react-i18next';
import { useConnectionStatus } from './RealtimeContext';

export function ConnectionIndicator() {
  const { t } = useTranslation();
  const status = useConnectionStatus();
  return (
    <output className={`connection connection-${status}`} data-testid="connection-status" data-status={status}>
      <span className="connection-dot" aria-hidden="true" />
      {t(`connection.${status}`)}
    </output>
  );
}
