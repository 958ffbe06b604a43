import { useCallback, useState } from 'react';

const PREFIX = '#room=';

function fromHash(): string | null {
  return location.hash.startsWith(PREFIX) ? decodeURIComponent(location.hash.slice(PREFIX.length)) : null;
}

/** The open room, kept in the URL fragment so that a reload (or a shared link) reopens it. */
export function useSelectedRoom() {
  const [selected, setSelected] = useState<string | null>(fromHash);
  const select = useCallback((roomId: string | null) => {
    setSelected(roomId);
    const hash = roomId ? `${PREFIX}${encodeURIComponent(roomId)}` : '';
    history.replaceState(null, '', `${location.pathname}${location.search}${hash}`);
  }, []);
  return [selected, select] as const;
}
