// A list that renders only the rows in view (plus a margin), so 1,200 endpoints scroll as
// smoothly as 12. Rows have one fixed height; the scroll container sizes the window.
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";

export function visibleRange(scrollTop: number, viewport: number, rowHeight: number, count: number,
  overscan = 8): [number, number] {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(count, Math.ceil((scrollTop + viewport) / rowHeight) + overscan);
  return [first, Math.max(first, last)];
}

export function VirtualList<T>({ items, rowHeight, height, render, label }: {
  items: T[]; rowHeight: number; height: number; label: string;
  render: (item: T, index: number) => ComponentChildren;
}) {
  const box = useRef<HTMLDivElement>(null);
  const [top, setTop] = useState(0);
  useEffect(() => { if (box.current) box.current.scrollTop = 0; setTop(0); }, [items]);
  const [first, last] = visibleRange(top, height, rowHeight, items.length);
  const boxHeight = Math.min(height, Math.max(items.length, 1) * rowHeight + 2); // a short list needs no empty box
  return (
    <div ref={box} class="virtual" style={{ height: `${boxHeight}px` }} role="list" aria-label={label}
      tabIndex={0} onScroll={(e) => setTop((e.currentTarget as HTMLDivElement).scrollTop)}>
      <div style={{ height: `${items.length * rowHeight}px`, position: "relative" }}>
        <div style={{ transform: `translateY(${first * rowHeight}px)` }}>
          {items.slice(first, last).map((item, i) => (
            <div role="listitem" class="virtual-row" style={{ height: `${rowHeight}px` }} key={first + i}>
              {render(item, first + i)}
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}
