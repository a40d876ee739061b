/**
 * Bytes held for subscribers that read slower than events come, counted
 * against a bound: one per caller, inside one for the whole process. A
 * reservation succeeds only when every budget up the chain has room.
 */
export class ByteBudget {
  private used = 0;

  constructor(
    /** The most bytes this budget holds. */
    readonly limit: number,
    private readonly parent?: ByteBudget,
  ) {}

  /** Bytes held now. */
  get held(): number {
    return this.used;
  }

  /** Takes `bytes` if this budget and its parents have room for them; false (and nothing taken) otherwise. */
  reserve(bytes: number): boolean {
    if (this.used + bytes > this.limit) return false;
    if (this.parent && !this.parent.reserve(bytes)) return false;
    this.used += bytes;
    return true;
  }

  /** Gives back bytes reserved before. */
  release(bytes: number): void {
    this.used -= bytes;
    this.parent?.release(bytes);
  }
}
