import { useEffect, useRef, useState } from 'react';
import { type Expiring, nextChangeDelay } from './expiry';

/**
 * One timer for a whole list of things that disappear: it fires at the next moment anything must change on screen
 * (an item reaching its `expiresAt`, or a countdown moving on: every second under a minute, every minute under an
 * hour, and so on), calls `onTick` with the time, and re-renders the caller. Nothing runs while no item expires.
 */
export function useExpiryScheduler(items: readonly Expiring[], onTick: (now: number) => void): void {
  // A new object each time, so that every tick re-renders and re-arms the timer, even within the same millisecond.
  const [tick, setTick] = useState(() => ({ now: Date.now() }));
  const onTickRef = useRef(onTick);
  useEffect(() => {
    onTickRef.current = onTick;
  });

  // biome-ignore lint/correctness/useExhaustiveDependencies: `tick` is what re-arms the timer after each firing.
  useEffect(() => {
    const run = () => {
      const now = Date.now();
      onTickRef.current(now);
      setTick({ now });
    };
    const delay = nextChangeDelay(items, Date.now());
    if (delay === undefined) return;
    const timer = setTimeout(run, delay);
    // A hidden tab's timers are slowed down (to once a minute in Chrome); catch up as soon as it is shown again.
    const onVisible = () => {
      if (document.visibilityState === 'visible') run();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [items, tick]);
}
