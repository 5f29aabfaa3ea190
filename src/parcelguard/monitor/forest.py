"""Fast scoring for a fitted scikit-learn IsolationForest, one hour's rows at a time.

`IsolationForest.score_samples` validates its input and walks every tree's decision path;
for the few hundred rows an hour closes that overhead dominates. `FastForest` precomputes,
per tree, each leaf's path length (depth + the average path length of the samples left in
it), so plain scoring is one `tree_.apply` and one lookup per tree and returns exactly what
`score_samples` returns (a test pins it).

With `extrapolate=True` it also corrects the forest's blind spot for novelties: a point
outside the range of the training data follows the most extreme training points down each
tree, so a never-seen hour (fifty denials where history had at most two) scores no stranger
than history's own tails. For such points only (outside the training data's range in some
feature), at the first node where the point lies outside the range the tree's sample spanned
there, it counts as isolated with the probability that a split drawn over the range
including the point would have cut it off: the original algorithm's rule, applied to the
point as if it had been in the sample. Points inside the training range score exactly as
`score_samples` scores them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray


def average_path_length(n: NDArray[np.float64]) -> NDArray[np.float64]:
    """Return c(n), the average path length of an unsuccessful BST search over n points."""
    n = np.asarray(n, dtype=np.float64)
    out = np.zeros_like(n)
    out[n == 2] = 1.0
    more = n > 2
    m = n[more]
    out[more] = 2.0 * (np.log(m - 1.0) + np.euler_gamma) - 2.0 * (m - 1.0) / m
    return out


class _Tree:
    """One tree: its nodes' split features, depths, leaf path lengths and sample ranges."""

    def __init__(self, estimator: Any, features: NDArray[np.intp], sample: NDArray[Any]) -> None:
        self.tree = estimator.tree_
        self.features = features
        self.split = self.tree.feature
        self.depth = _depths(self.tree.children_left, self.tree.children_right)
        self.leaf_length = self.depth + average_path_length(self.tree.n_node_samples)
        x = np.ascontiguousarray(sample[:, features], dtype=np.float32)
        rows, nodes = self.tree.decision_path(x).nonzero()
        inner = self.split[nodes] >= 0
        rows, nodes = rows[inner], nodes[inner]
        values = x[rows, self.split[nodes]].astype(np.float64)
        self.low = np.full(len(self.split), np.inf)
        self.high = np.full(len(self.split), -np.inf)
        np.minimum.at(self.low, nodes, values)
        np.maximum.at(self.high, nodes, values)

    def lengths(self, x: NDArray[np.float32], novel: NDArray[np.bool_]) -> NDArray[np.float64]:
        """Return each row's path length in this tree (expected length for novel rows)."""
        xf = np.ascontiguousarray(x[:, self.features])
        length: NDArray[np.float64] = self.leaf_length[self.tree.apply(xf)]
        if novel.any():
            index = np.flatnonzero(novel)
            length[index] = self._extrapolated(xf[index], length[index])
        return length

    def _extrapolated(
        self, xf: NDArray[np.float32], length: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        rows, nodes = self.tree.decision_path(np.ascontiguousarray(xf)).nonzero()
        inner = self.split[nodes] >= 0
        rows, nodes = rows[inner], nodes[inner]
        values = xf[rows, self.split[nodes]].astype(np.float64)
        low, high = self.low[nodes], self.high[nodes]
        outside = (values < low) | (values > high)
        if not outside.any():
            return length
        rows, nodes, values = rows[outside], nodes[outside], values[outside]
        low, high = low[outside], high[outside]
        first = np.full(len(xf), np.iinfo(np.int64).max)
        np.minimum.at(first, rows, nodes)  # node ids grow with depth along a path
        keep = nodes == first[rows]
        rows, nodes, values, low, high = (
            rows[keep],
            nodes[keep],
            values[keep],
            low[keep],
            high[keep],
        )
        gap = np.where(values > high, values - high, low - values)
        cut = gap / np.maximum(np.maximum(values, high) - np.minimum(values, low), 1e-12)
        isolated = self.depth[nodes] + 1.0
        length[rows] = cut * isolated + (1.0 - cut) * length[rows]
        return length


class FastForest:
    """A fitted IsolationForest reduced to per-tree arrays."""

    def __init__(self, model: Any, training: NDArray[Any]) -> None:
        self.trees = [
            _Tree(estimator, np.asarray(features), training[np.asarray(samples)])
            for estimator, features, samples in zip(
                model.estimators_,
                model.estimators_features_,
                model.estimators_samples_,
                strict=True,
            )
        ]
        self.norm = float(average_path_length(np.array([float(model.max_samples_)]))[0])
        self.low = training.min(axis=0).astype(np.float32)
        self.high = training.max(axis=0).astype(np.float32)

    def score(self, rows: NDArray[Any], *, extrapolate: bool = True) -> NDArray[np.float64]:
        """Return anomaly scores like `score_samples`: lower is stranger (about -1 … -0.3)."""
        x = np.ascontiguousarray(rows, dtype=np.float32)
        novel = ((x < self.low) | (x > self.high)).any(axis=1) & extrapolate
        total = np.zeros(len(x), dtype=np.float64)
        for tree in self.trees:
            total += tree.lengths(x, novel)
        scores: NDArray[np.float64] = -np.power(2.0, -total / (len(self.trees) * self.norm))
        return scores


def _depths(left: NDArray[np.intp], right: NDArray[np.intp]) -> NDArray[np.float64]:
    depth = np.zeros(len(left), dtype=np.float64)
    stack = [0]
    while stack:
        node = stack.pop()
        for child in (left[node], right[node]):
            if child != -1:
                depth[child] = depth[node] + 1
                stack.append(int(child))
    return depth
