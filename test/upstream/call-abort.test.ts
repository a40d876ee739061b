import { describe, expect, it } from 'vitest';
import { CallAbort } from '../../src/upstream/call-abort.js';

describe('CallAbort', () => {
  it('aborts once, keeping the first reason, and tells every listener', () => {
    const abort = new CallAbort();
    const heard: unknown[] = [];
    abort.addEventListener('abort', () => heard.push(abort.reason), { once: true });
    abort.addEventListener('abort', () => heard.push('again'));
    abort.abort('first');
    abort.abort('second');
    expect([abort.aborted, abort.reason, heard]).toEqual([true, 'first', ['first', 'again']]);
  });

  it('removes a listener', () => {
    const abort = new CallAbort();
    let heard = false;
    const listener = () => {
      heard = true;
    };
    abort.addEventListener('abort', listener);
    abort.removeEventListener('abort', listener);
    abort.abort('gone');
    expect(heard).toBe(false);
    expect(abort.listenerCount('abort')).toBe(0);
  });

  it('follows an AbortSignal, aborted now or later, with its reason', () => {
    const later = new AbortController();
    const following = CallAbort.following(later.signal);
    expect(following.aborted).toBe(false);
    later.abort('client left');
    expect([following.aborted, following.reason]).toEqual([true, 'client left']);

    const already = new AbortController();
    already.abort('gone before');
    expect(CallAbort.following(already.signal).reason).toBe('gone before');
  });

  it('ends a sleep at once with the reason when aborted, and leaves no listener behind', async () => {
    const abort = new CallAbort();
    const sleeping = abort.sleep(60_000);
    abort.abort(new Error('stop'));
    await expect(sleeping).rejects.toThrow('stop');
    await expect(abort.sleep(1)).rejects.toThrow('stop');

    const quiet = new CallAbort();
    await quiet.sleep(1);
    expect(quiet.listenerCount('abort')).toBe(0);
  });
});
