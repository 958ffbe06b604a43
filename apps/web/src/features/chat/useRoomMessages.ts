import { DEFAULT_HISTORY_LIMIT, type Message } from '@salon/protocol';
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../../api';
import { useRealtime } from '../../realtime/RealtimeContext';
import { decodeMessages, type TimelineMessage } from '../e2ee/decodeMessages';
import { useE2ee } from '../e2ee/E2eeProvider';
import { expiredSeqs, withoutExpired, withoutSeqs } from './expiry';
import { mergeMessages, tombstone } from './mergeMessages';

interface Timeline {
  messages: TimelineMessage[];
  loaded: boolean;
  hasOlder: boolean;
  loadingOlder: boolean;
  error: unknown;
}

const INITIAL: Timeline = { messages: [], loaded: false, hasOlder: false, loadingOlder: false, error: null };

/**
 * `current` with `incoming` merged in, minus whatever has expired by now: a message past its `expiresAt` is never
 * shown, even when a page of history or a replay read just before its end arrives just after it.
 */
function merged(current: readonly TimelineMessage[], incoming: readonly TimelineMessage[]): TimelineMessage[] {
  return withoutExpired(mergeMessages(current, incoming), Date.now());
}

/**
 * A room's messages: the latest page from history, then the live stream from the WebSocket, resumed from the
 * last loaded seq so that nothing posted between the two is lost; older pages are loaded on demand. In an
 * encrypted room every message goes through the E2EE worker first (and commits are not shown).
 */
export function useRoomMessages(roomId: string, encrypted = false) {
  const client = useRealtime();
  const e2ee = useE2ee();
  const readable = useCallback(
    (messages: readonly Message[]): Promise<TimelineMessage[]> =>
      encrypted ? decodeMessages(e2ee, messages) : Promise.resolve(messages as Message[]),
    [e2ee, encrypted],
  );
  const [timeline, setTimeline] = useState<Timeline>(INITIAL);
  // loadOlder is called from scroll handlers; it reads the newest state without being re-created on each message.
  const latest = useRef(timeline);
  useEffect(() => {
    latest.current = timeline;
  });

  useEffect(() => {
    let cancelled = false;
    setTimeline(INITIAL);
    const add = (incoming: TimelineMessage[]) =>
      !cancelled && setTimeline((t) => ({ ...t, messages: merged(t.messages, incoming) }));
    const offMessage = client.on('message', (message) => {
      if (message.roomId !== roomId) return;
      if (encrypted) void readable([message]).then(add);
      else add([message]);
    });
    // Joins this device to the room's group (Welcome, else external commit) even before any message arrives.
    if (encrypted) {
      e2ee.openRoom(roomId).catch((error: unknown) => !cancelled && setTimeline((t) => ({ ...t, error })));
    }
    const offEvent = client.on('event', (event) => {
      if (event.roomId !== roomId) return;
      // A deleted message keeps its place as a tombstone (as history shows it); an expired one just goes.
      if (event.kind === 'message.deleted' && typeof event.seq === 'number') {
        const { seq } = event;
        const deletedAt = new Date().toISOString();
        setTimeline((t) => ({ ...t, messages: tombstone(t.messages, seq, deletedAt) }));
      } else if (event.kind === 'message.expired') {
        const seqs = expiredSeqs(event);
        setTimeline((t) => {
          const messages = withoutSeqs(t.messages, seqs);
          return messages === t.messages ? t : { ...t, messages };
        });
      }
    });
    const offError = client.on('subscribeError', (failedRoomId, error) => {
      if (failedRoomId === roomId) setTimeline((t) => ({ ...t, error }));
    });
    api.fetchMessages(roomId, { limit: DEFAULT_HISTORY_LIMIT }).then(
      async (page) => {
        if (cancelled) return;
        client.subscribe(roomId, page.at(-1)?.seq ?? 0);
        const shown = await readable(page);
        if (cancelled) return;
        setTimeline((t) => ({
          ...t,
          messages: merged(t.messages, shown),
          loaded: true,
          hasOlder: page.length === DEFAULT_HISTORY_LIMIT,
        }));
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
  }, [client, roomId, e2ee, encrypted, readable]);

  const loadOlder = useCallback(async () => {
    const { messages, hasOlder, loadingOlder } = latest.current;
    const first = messages[0];
    if (!hasOlder || loadingOlder || !first) return;
    setTimeline((t) => ({ ...t, loadingOlder: true }));
    try {
      const page = await api.fetchMessages(roomId, { before: first.seq, limit: DEFAULT_HISTORY_LIMIT });
      const shown = await readable(page);
      setTimeline((t) => ({
        ...t,
        messages: merged(t.messages, shown),
        // Counted before dropping expired ones: a gap left by expiry is not the beginning of the room.
        hasOlder: page.length === DEFAULT_HISTORY_LIMIT,
        loadingOlder: false,
      }));
    } catch (error) {
      setTimeline((t) => ({ ...t, loadingOlder: false, error }));
    }
  }, [roomId, readable]);

  /**
   * Shows our own message as soon as its ack arrives, before (or instead of) the live copy. A live copy that came
   * first stays: it is the server's own (its `expiresAt` included), where the ack's copy is rebuilt here.
   */
  const addMessage = useCallback(
    (message: TimelineMessage) =>
      setTimeline((t) =>
        t.messages.some((m) => m.seq === message.seq) ? t : { ...t, messages: merged(t.messages, [message]) },
      ),
    [],
  );

  /** Forgets the messages whose time is up (the expiry scheduler calls this at each `expiresAt`). */
  const dropExpired = useCallback(
    (now: number) =>
      setTimeline((t) => {
        const messages = withoutExpired(t.messages, now);
        return messages === t.messages ? t : { ...t, messages };
      }),
    [],
  );

  /** Shows our own deletion at once, without waiting for its event. */
  const markDeleted = useCallback((seq: number) => {
    const deletedAt = new Date().toISOString();
    setTimeline((t) => ({ ...t, messages: tombstone(t.messages, seq, deletedAt) }));
  }, []);

  return { ...timeline, loadOlder, addMessage, markDeleted, dropExpired };
}
