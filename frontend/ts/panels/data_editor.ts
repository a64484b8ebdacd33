// Click to add a point, shift-click to remove the nearest one: turns a click on the output
// panel into the playground's add_point / remove_point action message.

export type EditMessage =
  | { action: "add_point"; point: [number, number, number] }
  | { action: "remove_point"; index: number };

/** Index of the point of X nearest to (x1, x2), or -1 when there is none. */
export function nearestPoint(X: number[][], x1: number, x2: number): number {
  let best = -1;
  let bd = Infinity;
  X.forEach((p, k) => {
    const d = (p[0] - x1) ** 2 + (p[1] - x2) ** 2;
    if (d < bd) [best, bd] = [k, d];
  });
  return best;
}

/** The action for a click at (x1, x2): remove the nearest point (shift) or add one. */
export function editMessage(
  X: number[][],
  x1: number,
  x2: number,
  remove: boolean,
  target: number,
): EditMessage | null {
  if (remove) {
    const index = nearestPoint(X, x1, x2);
    return index < 0 ? null : { action: "remove_point", index };
  }
  return { action: "add_point", point: [x1, x2, target] };
}
