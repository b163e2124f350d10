// Pages of a server-side list: where a page starts, what it shows, whether there is more.

export interface PageView { from: number; to: number; total: number; hasPrev: boolean; hasNext: boolean; last: number }

/** `offset` of a page of `size` among `total` rows (shown 1-based, `from`–`to`). */
export function pageView(offset: number, size: number, shown: number, total: number): PageView {
  const last = total > 0 ? Math.floor((total - 1) / size) * size : 0;
  return {
    from: shown ? offset + 1 : 0, to: offset + shown, total,
    hasPrev: offset > 0, hasNext: offset + size < total, last,
  };
}

/** An offset past the end (rows deleted, a narrower search) comes back to the last page. */
export function clampOffset(offset: number, size: number, total: number): number {
  return Math.min(Math.max(0, offset), pageView(offset, size, 0, total).last);
}
