import { DEFAULT_HISTORY_LIMIT, type Message } from '@salon/protocol';
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../../api';
import { useRealtime } from '../../realtime/RealtimeContext';
import { mergeMessages, tombstone, withoutSeq } from './mergeMessages';

interface Timeline {
  messages: Message[];
  loaded: boolean;
  hasOlder: boolean;
  loadingOlder: boolean;
  error: unknown;
}

const INITIAL: Timeline = { messages: [], loaded: false, hasOlder: false, loadingOlder: false, error: null };

/**
 * A room's messages: the latest page from history, then the live stream from the WebSocket, resumed from the
 * last loaded seq so that nothing posted between the two is lost; older pages are loaded on demand.
 */
export function useRoomMessages(roomId: string) {
  const client = useRealtime();
  const [timeline, setTimeline] = useState<Timeline>(INITIAL);
  // loadOlder is called from scroll handlers; it reads the newest state without being re-created on each message.
  const latest = useRef(timeline);
  useEffect(() => {
    latest.current = timeline;
  });

  useEffect(() => {
    let cancelled = false;
    setTimeline(INITIAL);
    const offMessage = client.on('message', (message) => {
      if (message.roomId === roomId) setTimeline((t) => ({ ...t, messages: mergeMessages(t.messages, [message]) }));
    });
    const offEvent = client.on('event', (event) => {
      if (event.roomId !== roomId || typeof event.seq !== 'number') return;
      const seq = event.seq;
      // A deleted message keeps its place as a tombstone (as history shows it); an expired one just goes.
      if (event.kind === 'message.deleted') {
        const deletedAt = new Date().toISOString();
        setTimeline((t) => ({ ...t, messages: tombstone(t.messages, seq, deletedAt) }));
      } else if (event.kind === 'message.expired') {
        setTimeline((t) => ({ ...t, messages: withoutSeq(t.messages, seq) }));
      }
    });
    const offError = client.on('subscribeError', (failedRoomId, error) => {
      if (failedRoomId === roomId) setTimeline((t) => ({ ...t, error }));
    });
    api.fetchMessages(roomId, { limit: DEFAULT_HISTORY_LIMIT }).then(
      (page) => {
        if (cancelled) return;
        setTimeline((t) => ({
          ...t,
          messages: mergeMessages(t.messages, page),
          loaded: true,
          hasOlder: page.length === DEFAULT_HISTORY_LIMIT,
        }));
        client.subscribe(roomId, page.at(-1)?.seq ?? 0);
      },
      (error: unknown) => !cancelled && setTimeline((t) => ({ ...t, loaded: true, error })),
    );
    return () => {
      cancelled = true;
      offMessage();
      offEvent();
      offError();
      client.unsubscribe(roomId);
    };
  }, [client, roomId]);

  const loadOlder = useCallback(async () => {
    const { messages, hasOlder, loadingOlder } = latest.current;
    const first = messages[0];
    if (!hasOlder || loadingOlder || !first) return;
    setTimeline((t) => ({ ...t, loadingOlder: true }));
    try {
      const page = await api.fetchMessages(roomId, { before: first.seq, limit: DEFAULT_HISTORY_LIMIT });
      setTimeline((t) => ({
        ...t,
        messages: mergeMessages(t.messages, page),
        hasOlder: page.length === DEFAULT_HISTORY_LIMIT,
        loadingOlder: false,
      }));
    } catch (error) {
      setTimeline((t) => ({ ...t, loadingOlder: false, error }));
    }
  }, [roomId]);

  /** Shows our own message as soon as its ack arrives, before (or instead of) the live copy. */
  const addMessage = useCallback(
    (message: Message) => setTimeline((t) => ({ ...t, messages: mergeMessages(t.messages, [message]) })),
    [],
  );

  /** Shows our own deletion at once, without waiting for its event. */
  const markDeleted = useCallback((seq: number) => {
    const deletedAt = new Date().toISOString();
    setTimeline((t) => ({ ...t, messages: tombstone(t.messages, seq, deletedAt) }));
  }, []);

  return { ...timeline, loadOlder, addMessage, markDeleted };
}
