import { describe, expect, it } from 'vitest';
import { CoalescedLookups } from '../src/notifications/lookups.js';

/** A look-up the test finishes by hand, so that what is in flight when is decided here, not by timing. */
function gate<T>() {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

describe('CoalescedLookups', () => {
  it('runs at most one look-up per key at a time; callers during one share the next', async () => {
    const lookups = new CoalescedLookups<string>();
    const gates = [gate<string>(), gate<string>(), gate<string>()];
    let started = 0;
    const task = () => (gates[started++] as ReturnType<typeof gate<string>>).promise;
    const first = lookups.run('1001', '', task);
    const during = [
      lookups.run('1001', '', task),
      lookups.run('1001', '', task),
      lookups.run('1001', '', task),
    ];
    expect(started).toBe(1);
    gates[0]?.open('PENDING');
    expect(await first).toBe('PENDING');
    await Promise.resolve();
    expect(started).toBe(2); // the callers who asked while the first ran get a look-up that started after them
    gates[1]?.open('DELIVERED');
    expect(await Promise.all(during)).toEqual(['DELIVERED', 'DELIVERED', 'DELIVERED']);
    expect(started).toBe(2);
    expect(lookups.size).toBe(0);
  });

  it('keeps keys apart, and variants of one key in one lane, one at a time', async () => {
    const lookups = new CoalescedLookups<string>();
    const running = new Map<string, number>();
    let most = 0;
    const task = (key: string, value: string) => async () => {
      running.set(key, (running.get(key) ?? 0) + 1);
      most = Math.max(most, running.get(key) ?? 0);
      await new Promise((resolve) => setImmediate(resolve));
      running.set(key, (running.get(key) ?? 1) - 1);
      return value;
    };
    const results = await Promise.all([
      lookups.run('1', 'a', task('1', '1a')),
      lookups.run('1', 'b', task('1', '1b')),
      lookups.run('2', 'a', task('2', '2a')),
      lookups.run('1', 'a', task('1', 'unused')),
    ]);
    // The second '1'/'a' asked while the first ran: a look-up of its own, after '1'/'b', never beside one.
    expect(results).toEqual(['1a', '1b', '2a', 'unused']);
    expect(most).toBe(1);
  });

  it('hands a failure to the callers of that look-up only', async () => {
    const lookups = new CoalescedLookups<string>();
    const failing = lookups.run('7', '', () => Promise.reject(new Error('D24 down')));
    const next = lookups.run('7', '', () => Promise.resolve('ok'));
    await expect(failing).rejects.toThrow('D24 down');
    await expect(next).resolves.toBe('ok');
  });
});
