import { CircuitBreaker } from '../../lib/regions/circuit-breaker.js';

describe('CircuitBreaker', () => {
  it('opens after the threshold, lets one probe through after the cool-down, closes on success', async () => {
    const changes: string[] = [];
    const breaker = new CircuitBreaker(2, 50, (state) => changes.push(state));
    breaker.failure();
    expect(breaker.allows()).toBe(true);
    breaker.failure();
    expect(breaker.isOpen).toBe(true);
    expect(breaker.allows()).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(breaker.allows()).toBe(true); // the probe
    expect(breaker.allows()).toBe(false); // only one at a time
    breaker.success();
    expect(breaker.isOpen).toBe(false);
    expect(breaker.allows()).toBe(true);
    expect(changes).toEqual(['open', 'closed']);
    expect(breaker.opened).toBe(1);
  });

  it('stays open for another cool-down when the probe fails', async () => {
    const breaker = new CircuitBreaker(1, 40, () => {});
    breaker.failure();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(breaker.allows()).toBe(true);
    breaker.failure();
    expect(breaker.allows()).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(breaker.allows()).toBe(true);
  });

  it('resets the failure run on success', () => {
    const breaker = new CircuitBreaker(3, 1_000, () => {});
    breaker.failure();
    breaker.failure();
    breaker.success();
    breaker.failure();
    breaker.failure();
    expect(breaker.isOpen).toBe(false);
  });
});

describe('CircuitBreaker with a quiet window', () => {
  // The breaker reads Date.now(): a standing clock keeps the quiet window from ending between two
  // lines on a busy machine, and the test moves it on where it means to.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('does not open while successes keep coming within quietMs', () => {
    const breaker = new CircuitBreaker(3, 1_000, () => {}, 200);
    breaker.success();
    for (let i = 0; i < 10; i++) breaker.failure();
    expect(breaker.isOpen).toBe(false);
  });

  it('opens once failures go on with no success for quietMs', () => {
    const breaker = new CircuitBreaker(3, 1_000, () => {}, 50);
    breaker.success();
    breaker.failure();
    breaker.failure();
    breaker.failure();
    expect(breaker.isOpen).toBe(false);
    vi.setSystemTime(Date.now() + 60);
    breaker.failure();
    expect(breaker.isOpen).toBe(true);
  });
});
