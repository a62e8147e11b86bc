/** A short alarm (three 880 Hz beeps) through Web Audio; silent where there is no audio device. */
export function beep(times = 3): void {
  try {
    const ctx = new AudioContext();
    for (let i = 0; i < times; i++) {
      const o = ctx.createOscillator();
      o.frequency.value = 880;
      o.connect(ctx.destination);
      o.start(ctx.currentTime + i * 0.3);
      o.stop(ctx.currentTime + i * 0.3 + 0.15);
    }
  } catch {
    // no audio device: the banner still shows
  }
}
