"""A fast force-directed layout in pure Python, for graphs too big for in-browser physics.

Fruchterman-Reingold where each node is pushed only by the nodes in its own and the eight
surrounding grid cells, plus a far-field push from the centre, so a step costs about
O(n log n + edges) instead of O(n^2). networkx's layouts would need numpy, which dta-kg
does not depend on.
"""

import math
import random
from collections import defaultdict
from collections.abc import Hashable, Iterable


def force_layout(
    nodes: Iterable[Hashable],
    edges: Iterable[tuple[Hashable, Hashable]],
    *,
    iterations: int = 30,
    spacing: float = 60.0,
    seed: int = 0,
) -> dict[Hashable, tuple[float, float]]:
    """Return x, y per node; neighbours end up about `spacing` apart (screen pixels in vis)."""
    ids = list(dict.fromkeys(nodes))
    index = {node: i for i, node in enumerate(ids)}
    pairs = {(index[a], index[b]) for a, b in edges if a in index and b in index and a != b}
    n = len(ids)
    if n == 0:
        return {}
    rng = random.Random(seed)
    side = spacing * math.sqrt(n)
    xs = [rng.uniform(0, side) for _ in range(n)]
    ys = [rng.uniform(0, side) for _ in range(n)]
    temperature = side / 8
    for _ in range(iterations):
        dx, dy = [0.0] * n, [0.0] * n
        _near_push(xs, ys, dx, dy, spacing, rng)
        _far_push(xs, ys, dx, dy, spacing)
        for a, b in pairs:  # springs along edges
            pull = math.hypot(xs[a] - xs[b], ys[a] - ys[b]) / spacing
            fx, fy = (xs[a] - xs[b]) * pull, (ys[a] - ys[b]) * pull
            dx[a], dy[a], dx[b], dy[b] = dx[a] - fx, dy[a] - fy, dx[b] + fx, dy[b] + fy
        for i in range(n):  # move, at most `temperature` far
            d = math.hypot(dx[i], dy[i])
            if d > 0:
                xs[i] += dx[i] * min(d, temperature) / d
                ys[i] += dy[i] * min(d, temperature) / d
        temperature = max(temperature * 0.9, spacing / 10)
    return {node: (round(xs[i], 1), round(ys[i], 1)) for i, node in enumerate(ids)}


def _near_push(xs: list[float], ys: list[float], dx: list[float], dy: list[float], spacing: float,
               rng: random.Random) -> None:
    """Repulsion k^2/d between nodes less than 2k apart, found through a grid of 2k cells."""
    k2, cell = spacing * spacing, 2 * spacing
    grid: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, (x, y) in enumerate(zip(xs, ys, strict=True)):
        grid[int(x // cell), int(y // cell)].append(i)
    for (cx, cy), members in grid.items():
        near = [j for ox in (-1, 0, 1) for oy in (-1, 0, 1)
                for j in grid.get((cx + ox, cy + oy), ())]
        for i in members:
            for j in near:
                ddx, ddy = xs[i] - xs[j], ys[i] - ys[j]
                d2 = ddx * ddx + ddy * ddy
                if 0 < d2 < 4 * k2:
                    dx[i] += ddx * k2 / d2
                    dy[i] += ddy * k2 / d2
                elif d2 == 0 and i != j:  # coincident nodes: nudge apart
                    dx[i] += rng.uniform(-1, 1)
                    dy[i] += rng.uniform(-1, 1)


def _far_push(xs: list[float], ys: list[float], dx: list[float], dy: list[float],
              spacing: float) -> None:
    """The nodes nearer the centre push outwards as if they all sat at the centre.

    Stragglers far outside the bulk of the graph (unconnected nodes) are pulled back instead.
    """
    n = len(xs)
    cx, cy = sum(xs) / n, sum(ys) / n
    radii = sorted((math.hypot(xs[i] - cx, ys[i] - cy), i) for i in range(n))
    reach = 1.2 * radii[int(0.95 * (n - 1))][0]
    for rank, (r, i) in enumerate(radii):
        if r > 0:
            push = rank * spacing * spacing / (r * r) if r < reach else (reach - r) / r
            dx[i] += (xs[i] - cx) * push
            dy[i] += (ys[i] - cy) * push
