/**
 * Simulations read committed state while they run; a peer holds a read lock on state for
 * a simulation's duration and commits take the write lock. This gate does the same:
 * commits (synchronous functions) wait for running simulations to finish, and new
 * simulations wait while a commit is queued, so a simulation never sees two states.
 */
export class CommitGate {
  private active = 0;
  private readonly writers: Array<() => void> = [];
  private readers: Array<() => void> = [];

  /** Start a simulation (waits if a commit is queued). */
  async enter(): Promise<void> {
    if (this.writers.length > 0) await new Promise<void>((resolve) => this.readers.push(resolve));
    this.active++;
  }

  /** End a simulation started with {@link enter}. */
  leave(): void {
    this.active--;
    this.drain();
  }

  /** Run `commit` as soon as no simulation is running; commits run in call order. */
  write(commit: () => void): void {
    this.writers.push(commit);
    this.drain();
  }

  get idle(): boolean {
    return this.active === 0 && this.writers.length === 0;
  }

  private drain(): void {
    if (this.active > 0) return;
    while (this.writers.length > 0) {
      const commit = this.writers.shift()!;
      commit();
    }
    const readers = this.readers;
    this.readers = [];
    for (const resume of readers) resume();
  }
}
