"""Minimal L-BFGS and Adam on one flat tensor, without ``torch.optim.Optimizer``.

Creating the first ``torch.optim`` optimizer imports ``torch._dynamo`` (seconds on a
loaded machine, ~1-2 s on a quiet one), which is a large part of a 10-second run.
These two classes do the same arithmetic as ``torch.optim.LBFGS`` (one iteration per
:meth:`MinimalLBFGS.step`, ``max_iter=1``, the same two-loop recursion and the same
strong-Wolfe line search, :func:`torch.optim.lbfgs._strong_wolfe`, a pure function
that imports nothing) and ``torch.optim.Adam`` (bias-corrected moments, no weight
decay, no amsgrad) on a single leaf tensor, so they give the same iterates to float
tolerance (``tests/test_levers.py`` checks it) without that import.

The optimizer stage chooses them with the option ``implementation="minimal"`` (the
default); ``implementation="torch"`` keeps ``torch.optim``.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable

import torch

# The arguments of torch's private line search that MinimalLBFGS calls it with.
STRONG_WOLFE_PARAMETERS = ("obj_func", "x", "t", "d", "f", "g", "gtd", "max_ls")


def strong_wolfe() -> Callable | None:
    """``torch.optim.lbfgs._strong_wolfe``, or None where this torch has none we can call.

    It is private: a torch without it, or whose signature lacks an argument we pass
    (``max_ls`` appeared in 2024), gets ``torch.optim.LBFGS`` instead (see MinimalLBFGS).
    """
    try:
        from torch.optim.lbfgs import _strong_wolfe  # a pure function: no _dynamo import
    except ImportError:
        return None
    try:
        params = inspect.signature(_strong_wolfe).parameters
    except (TypeError, ValueError):
        return None
    if not all(name in params for name in STRONG_WOLFE_PARAMETERS):
        return None
    return _strong_wolfe


class MinimalLBFGS:
    """``torch.optim.LBFGS(max_iter=1)`` on one leaf tensor ``x``.

    Parameters
    ----------
    x : Tensor
        The leaf tensor (``requires_grad=True``) changed in place.
    lr, max_eval, history_size, tolerance_grad, tolerance_change, line_search_fn
        As ``torch.optim.LBFGS`` (``max_iter`` is 1: one iteration per step).
    """

    def __init__(
        self,
        x: torch.Tensor,
        *,
        lr: float = 1.0,
        max_eval: int = 25,
        history_size: int = 100,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        line_search_fn: str | None = None,
    ) -> None:
        if line_search_fn not in (None, "strong_wolfe"):
            raise ValueError(f"line_search_fn={line_search_fn!r}: only 'strong_wolfe' or None.")
        self.x = x
        self.lr = lr
        self.max_eval = max_eval
        self.history_size = history_size
        self.tolerance_grad = tolerance_grad
        self.tolerance_change = tolerance_change
        self.line_search_fn = line_search_fn
        self.n_iter = 0
        self.func_evals = 0
        self._d: torch.Tensor | None = None
        self._t: float | torch.Tensor = lr
        self._old_dirs: list[torch.Tensor] = []
        self._old_stps: list[torch.Tensor] = []
        self._ro: list[torch.Tensor] = []
        self._h_diag: float | torch.Tensor = 1.0
        self._prev_flat_grad: torch.Tensor | None = None
        self._line_search = strong_wolfe() if line_search_fn == "strong_wolfe" else None
        self._fallback: torch.optim.Optimizer | None = None
        if line_search_fn == "strong_wolfe" and self._line_search is None:
            warnings.warn(
                f"torch {torch.__version__} has no torch.optim.lbfgs._strong_wolfe with "
                "max_ls (a private function); L-BFGS uses torch.optim.LBFGS instead (same "
                "arithmetic, slower first import).",
                stacklevel=2,
            )
            self._fallback = torch.optim.LBFGS(
                [x],
                lr=lr,
                max_iter=1,
                max_eval=max_eval,
                history_size=history_size,
                tolerance_grad=tolerance_grad,
                tolerance_change=tolerance_change,
                line_search_fn=line_search_fn,
            )

    def _flat_grad(self) -> torch.Tensor:
        g = self.x.grad
        if g is None:
            return torch.zeros(self.x.numel(), dtype=self.x.dtype, device=self.x.device)
        return g.reshape(-1)

    def _add(self, t: float | torch.Tensor, d: torch.Tensor) -> None:
        with torch.no_grad():
            self.x.add_(d.view_as(self.x), alpha=float(t))

    def _directional_evaluate(
        self, closure: Callable[[], torch.Tensor], x0: torch.Tensor, t, d: torch.Tensor
    ) -> tuple[float, torch.Tensor]:
        self._add(t, d)
        loss = float(closure().detach())
        flat_grad = self._flat_grad().clone(memory_format=torch.contiguous_format)
        with torch.no_grad():
            self.x.copy_(x0)
        return loss, flat_grad

    def step(self, closure: Callable[[], torch.Tensor]) -> torch.Tensor:
        """One L-BFGS iteration; ``closure()`` zeroes the grad, evaluates, back-props."""
        if self._fallback is not None:
            return self._fallback.step(closure)
        with torch.enable_grad():
            orig_loss = closure()
        loss = float(orig_loss.detach())
        current_evals = 1
        self.func_evals += 1
        flat_grad = self._flat_grad()
        if flat_grad.abs().max() <= self.tolerance_grad:
            return orig_loss
        self.n_iter += 1
        if self.n_iter == 1:
            d = flat_grad.neg()
            self._old_dirs, self._old_stps, self._ro = [], [], []
            self._h_diag = 1.0
        else:
            y = flat_grad.sub(self._prev_flat_grad)
            s = self._d.mul(self._t)
            ys = y.dot(s)
            if ys > 1e-10:
                if len(self._old_dirs) == self.history_size:
                    self._old_dirs.pop(0)
                    self._old_stps.pop(0)
                    self._ro.pop(0)
                self._old_dirs.append(y)
                self._old_stps.append(s)
                self._ro.append(1.0 / ys)
                self._h_diag = ys / y.dot(y)
            al: list[torch.Tensor | None] = [None] * len(self._old_dirs)
            q = flat_grad.neg()
            for i in range(len(self._old_dirs) - 1, -1, -1):
                al[i] = self._old_stps[i].dot(q) * self._ro[i]
                q.add_(self._old_dirs[i], alpha=-al[i])
            d = r = torch.mul(q, self._h_diag)
            for i in range(len(self._old_dirs)):
                be_i = self._old_dirs[i].dot(r) * self._ro[i]
                r.add_(self._old_stps[i], alpha=al[i] - be_i)
        if self._prev_flat_grad is None:
            self._prev_flat_grad = flat_grad.clone(memory_format=torch.contiguous_format)
        else:
            self._prev_flat_grad.copy_(flat_grad)
        if self.n_iter == 1:
            t = min(1.0, 1.0 / float(flat_grad.abs().sum())) * self.lr
        else:
            t = self.lr
        gtd = flat_grad.dot(d)
        self._d = d
        if gtd > -self.tolerance_change:
            self._t = t
            return orig_loss
        if self.line_search_fn == "strong_wolfe":
            x_init = self.x.detach().clone(memory_format=torch.contiguous_format)

            def obj_func(x, t, d):
                return self._directional_evaluate(closure, x, t, d)

            assert self._line_search is not None
            loss, flat_grad, t, ls_evals = self._line_search(
                obj_func, x_init, t, d, loss, flat_grad, gtd, max_ls=self.max_eval - current_evals
            )
            self._add(t, d)
        else:
            self._add(t, d)
            ls_evals = 0
        self.func_evals += ls_evals
        self._t = t
        return orig_loss


class MinimalAdam:
    """``torch.optim.Adam`` (no weight decay, no amsgrad) on one leaf tensor ``x``."""

    def __init__(
        self,
        x: torch.Tensor,
        *,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        self.x = x
        self.lr = lr
        self.beta1, self.beta2 = betas
        self.eps = eps
        self.t = 0
        self.m = torch.zeros_like(x, memory_format=torch.preserve_format)
        self.v = torch.zeros_like(x, memory_format=torch.preserve_format)

    def step(self, closure: Callable[[], torch.Tensor]) -> torch.Tensor:
        """One Adam step; ``closure()`` zeroes the grad, evaluates, back-props."""
        with torch.enable_grad():
            loss = closure()
        g = self.x.grad
        if g is None:
            return loss
        self.t += 1
        with torch.no_grad():
            self.m.lerp_(g, 1 - self.beta1)
            self.v.mul_(self.beta2).addcmul_(g, g.conj(), value=1 - self.beta2)
            bias1 = 1 - self.beta1**self.t
            bias2 = 1 - self.beta2**self.t
            denom = (self.v.sqrt() / bias2**0.5).add_(self.eps)
            self.x.addcdiv_(self.m, denom, value=-self.lr / bias1)
        return loss
