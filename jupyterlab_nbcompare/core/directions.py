"""Which way is better for a metric: ``lower`` (a loss), ``higher`` (a score) or unknown.

The comparison colours a change green or red only when it knows the direction.
It guesses from the name the way a person reads it: the name is split into words
on ``_``, ``.``, ``-``, spaces and case changes (``valLoss`` -> ``val``, ``loss``;
``MSELoss`` -> ``mse``, ``loss``; ``f1_score`` -> ``f1``, ``score``), and the
*last* word decides (``loss_ratio`` is not a loss). A trailing number, or ``at``
plus a number, is skipped (``recall@10``, ``precision_at_5``, ``acc_1`` are
about recall, precision, accuracy). Anything unknown gives ``None``: a wrong
colour is worse than none. Users override per name, per mapping key, or per
``name.key`` (most specific wins).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["HIGHER_WORDS", "LOWER_WORDS", "direction_for", "split_words"]

#: Words meaning "smaller is better": losses, errors, costs, times.
LOWER_WORDS = frozenset(
    {
        # the contract's list
        "loss",
        "error",
        "err",
        "mse",
        "mae",
        "rmse",
        "mape",
        "logloss",
        "perplexity",
        # other losses and errors
        "losses",
        "errors",
        "msle",
        "rmsle",
        "smape",
        "wape",
        "mad",
        "nll",
        "ppl",
        "crossentropy",
        "xent",
        "brier",
        "hinge",
        "deviance",
        "divergence",
        "kl",
        "wer",
        "cer",
        "ter",
        "fpr",
        "fnr",
        "far",
        "frr",
        "eer",
        "bpc",
        "bpd",
        "aic",
        "bic",
        "regret",
        "cost",
        "penalty",
        "distance",
        "dist",
        "residual",
        "residuals",
        "misclassification",
        # resources: time and memory
        "time",
        "duration",
        "latency",
        "runtime",
        "seconds",
        "secs",
        "sec",
        "ms",
        "memory",
        "mem",
    }
)

#: Words meaning "larger is better": scores, accuracies, rewards, speeds.
HIGHER_WORDS = frozenset(
    {
        # the contract's list
        "acc",
        "accuracy",
        "f1",
        "auc",
        "r2",
        "precision",
        "recall",
        "score",
        # other scores
        "scores",
        "accuracies",
        "fscore",
        "f05",
        "f2",
        "rocauc",
        "auroc",
        "auprc",
        "prauc",
        "ap",
        "map",
        "ndcg",
        "mrr",
        "hitrate",
        "iou",
        "miou",
        "dice",
        "jaccard",
        "bleu",
        "rouge",
        "meteor",
        "chrf",
        "psnr",
        "ssim",
        "kappa",
        "mcc",
        "sensitivity",
        "specificity",
        "tpr",
        "tnr",
        "coverage",
        "sharpe",
        "reward",
        "rewards",
        "return",
        "returns",
        "likelihood",
        "loglikelihood",
        "elbo",
        "throughput",
        "fps",
        "speedup",
        "qps",
    }
)

_SEPARATORS = re.compile(r"[\W_]+")


def _camel(chunk: str) -> list[str]:
    """Split one alphanumeric chunk at case changes, keeping digits attached.

    ``valLoss`` -> ``val Loss``; ``MSELoss`` -> ``MSE Loss``; ``R2Score`` ->
    ``R2 Score``; ``top5Acc`` -> ``top5 Acc``; ``F1`` stays whole.
    """
    words: list[str] = []
    start = 0
    for i in range(1, len(chunk)):
        before, here = chunk[i - 1], chunk[i]
        after = chunk[i + 1] if i + 1 < len(chunk) else ""
        if here.isupper() and (
            before.islower() or before.isdigit() or (before.isupper() and after.islower())
        ):
            words.append(chunk[start:i])
            start = i
    words.append(chunk[start:])
    return words


def split_words(name: str) -> list[str]:
    """Lower-case words of a name, split on ``_ . -``, spaces, other punctuation
    and case changes."""
    words: list[str] = []
    for chunk in _SEPARATORS.split(name):
        if chunk:
            words.extend(word.lower() for word in _camel(chunk))
    return words


def _guess(name: str) -> str | None:
    words = split_words(name)
    while words and (words[-1].isdigit() or (len(words) > 1 and words[-1] == "at")):
        words.pop()
    if not words:
        return None
    last = words[-1]
    if last in LOWER_WORDS:
        return "lower"
    if last in HIGHER_WORDS:
        return "higher"
    return None


def direction_for(
    name: str, key: str | None = None, overrides: Mapping[str, str | None] | None = None
) -> str | None:
    """The direction of a value (``key`` None) or of one item of a mapping value.

    Overrides come first, most specific first: ``"name.key"``, then the bare
    ``key``, then ``name``. Without an override, the last word of the key (for an
    item) or of the name decides. Returns ``"lower"``, ``"higher"`` or ``None``.
    """
    if overrides:
        candidates = [f"{name}.{key}", key, name] if key is not None else [name]
        for candidate in candidates:
            if candidate in overrides:
                return overrides[candidate]
    return _guess(str(key) if key is not None else name)
