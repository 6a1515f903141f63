/**
 * A reusable barrier for a fixed number of threads over a shared Int32Array (two slots: arrivals
 * and generation). Threads usually arrive within microseconds of each other, while a futex sleep
 * and wake-up costs tens of microseconds, so it polls briefly before sleeping; it then sleeps in
 * short slices and calls `check` between them, so a failed or cancelled party never hangs the rest.
 */
export interface BarrierSlots {
  count: number;
  gen: number;
}

const SPINS = 4000;
const SLEEP_MS = 100;

export function barrierWait(ctrl: Int32Array, parties: number, slots: BarrierSlots, check: () => void): void {
  if (parties <= 1) return;
  const gen = Atomics.load(ctrl, slots.gen);
  if (Atomics.add(ctrl, slots.count, 1) === parties - 1) {
    Atomics.store(ctrl, slots.count, 0);
    Atomics.add(ctrl, slots.gen, 1);
    Atomics.notify(ctrl, slots.gen);
    return;
  }
  for (let i = 0; i < SPINS; i++) if (Atomics.load(ctrl, slots.gen) !== gen) return;
  while (Atomics.load(ctrl, slots.gen) === gen) {
    Atomics.wait(ctrl, slots.gen, gen, SLEEP_MS);
    check();
  }
}
