import { getEventListeners } from 'node:events';
import { backoffDelayMs, parseRetryAfterMs, sleep } from '../../lambda/hopae/retry';

describe('backoffDelayMs', () => {
  it('doubles from the base up to the cap, scaled by the jitter draw', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffDelayMs(n, 100, 1000, () => 1))).toEqual([100, 200, 400, 800, 1000]);
    expect(backoffDelayMs(3, 100, 1000, () => 0.5)).toBe(200);
    expect(backoffDelayMs(3, 100, 1000, () => 0)).toBe(0);
  });
});

describe('parseRetryAfterMs', () => {
  const now = Date.parse('2026-11-26T12:00:00Z');

  it.each([
    [undefined, undefined],
    ['3', 3000],
    [' 0 ', 0],
    ['1.5', 1500],
    ['Thu, 26 Nov 2026 12:00:10 GMT', 10_000],
    ['Thu, 26 Nov 2026 11:59:00 GMT', 0],
    ['soon', undefined],
    ['-5', undefined],
  ])('%j is %j ms', (value, expected) => {
    expect(parseRetryAfterMs(value, now)).toBe(expected);
  });
});

describe('sleep', () => {
  it('rejects at once when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('ending'));
    await expect(sleep(60_000, controller.signal)).rejects.toThrow('ending');
  });

  it('rejects when the signal aborts during the wait', async () => {
    const controller = new AbortController();
    const waiting = sleep(60_000, controller.signal);
    controller.abort(new Error('ending'));
    await expect(waiting).rejects.toThrow('ending');
  });
});

describe('retry helpers: the edges', () => {
  it('rounds the jittered delay to whole milliseconds', () => {
    expect(backoffDelayMs(1, 100, 1000, () => 0.123)).toBe(12);
    expect(backoffDelayMs(1, 100, 1000, () => 0.126)).toBe(13);
  });

  it.each([
    ['1.', undefined],
    ['1e3', undefined],
    ['2026-11-26T12:00:10Z', undefined],
    ['thu, 26 nov 2026 12:00:05 gmt', 5_000],
    [' 2 ', 2000],
  ])('%j is %j ms', (value, expected) => {
    expect(parseRetryAfterMs(value, Date.parse('2026-11-26T12:00:00Z'))).toBe(expected);
  });

  it('resolves after the wait, with or without a signal, and a later abort changes nothing', async () => {
    jest.useFakeTimers();
    try {
      const controller = new AbortController();
      const withSignal = sleep(1000, controller.signal);
      const without = sleep(1000);
      jest.advanceTimersByTime(1000);
      await expect(withSignal).resolves.toBeUndefined();
      await expect(without).resolves.toBeUndefined();
      controller.abort(new Error('late'));
    } finally {
      jest.useRealTimers();
    }
  });

  it('does not resolve before the wait is over', async () => {
    jest.useFakeTimers();
    try {
      let done = false;
      const waiting = sleep(1000).then(() => (done = true));
      jest.advanceTimersByTime(999);
      await Promise.resolve();
      expect(done).toBe(false);
      jest.advanceTimersByTime(1);
      await waiting;
      expect(done).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('sleep leaves no listener behind', () => {
  it('removes its abort listener once the wait is over, and once the signal aborted', async () => {
    jest.useFakeTimers();
    try {
      const finished = new AbortController();
      const waiting = sleep(1000, finished.signal);
      expect(getEventListeners(finished.signal, 'abort')).toHaveLength(1);
      jest.advanceTimersByTime(1000);
      await waiting;
      expect(getEventListeners(finished.signal, 'abort')).toHaveLength(0);

      const aborted = new AbortController();
      const cut = sleep(1000, aborted.signal);
      aborted.abort(new Error('ending'));
      await expect(cut).rejects.toThrow('ending');
      expect(getEventListeners(aborted.signal, 'abort')).toHaveLength(0);
    } finally {
      jest.useRealTimers();
    }
  });
});
