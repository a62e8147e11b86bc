/**
 * Minimum-cost assignment (Hungarian method with potentials, O(n²m)) on a rows × cols cost
 * matrix; pairs whose cost exceeds `maxCost` are dropped afterwards (they stay unmatched). Pass
 * `cols` when there may be no rows.
 */
export interface Assignment {
  matches: [row: number, col: number][];
  unmatchedRows: number[];
  unmatchedCols: number[];
}

export function linearAssignment(cost: readonly (readonly number[])[], maxCost: number, cols = cost[0]?.length ?? 0): Assignment {
  const rows = cost.length;
  if (rows === 0 || cols === 0) {
    return { matches: [], unmatchedRows: range(rows), unmatchedCols: range(cols) };
  }
  const transpose = rows > cols;
  const n = transpose ? cols : rows;
  const m = transpose ? rows : cols;
  const at = (i: number, j: number) => (transpose ? cost[j]![i]! : cost[i]![j]!);
  // 1-based arrays as in the classic formulation.
  const u = new Float64Array(n + 1);
  const v = new Float64Array(m + 1);
  const p = new Int32Array(m + 1);
  const way = new Int32Array(m + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Float64Array(m + 1).fill(Infinity);
    const used = new Uint8Array(m + 1);
    do {
      used[j0] = 1;
      const i0 = p[j0]!;
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const cur = at(i0 - 1, j - 1) - u[i0]! - v[j]!;
        if (cur < minv[j]!) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j]! < delta) {
          delta = minv[j]!;
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[p[j]!]! += delta;
          v[j]! -= delta;
        } else {
          minv[j]! -= delta;
        }
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0]!;
      p[j0] = p[j1]!;
      j0 = j1;
    } while (j0 !== 0);
  }
  const matches: [number, number][] = [];
  const rowUsed = new Uint8Array(rows);
  const colUsed = new Uint8Array(cols);
  for (let j = 1; j <= m; j++) {
    if (p[j] === 0) continue;
    const [r, c] = transpose ? [j - 1, p[j]! - 1] : [p[j]! - 1, j - 1];
    if (cost[r]![c]! > maxCost) continue;
    matches.push([r, c]);
    rowUsed[r] = 1;
    colUsed[c] = 1;
  }
  matches.sort((a, b) => a[0] - b[0]);
  return {
    matches,
    unmatchedRows: range(rows).filter((r) => !rowUsed[r]),
    unmatchedCols: range(cols).filter((c) => !colUsed[c]),
  };
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
