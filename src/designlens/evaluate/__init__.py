"""Scoring extraction against browser ground truth (`designlens eval`, eval/GROUND_TRUTH.md)."""

from __future__ import annotations

from designlens.evaluate.predict import Prediction, prediction_from_tokens
from designlens.evaluate.run import EvalReport, PageScore, evaluate_dir, evaluate_truths, predict_image
from designlens.evaluate.scores import SCORES, Score, color_scores, mean_scores, score_page
from designlens.evaluate.truth import GroundTruth, find_truths, load_truth

__all__ = [
    "SCORES",
    "EvalReport",
    "GroundTruth",
    "PageScore",
    "Prediction",
    "Score",
    "color_scores",
    "evaluate_dir",
    "evaluate_truths",
    "find_truths",
    "load_truth",
    "mean_scores",
    "predict_image",
    "prediction_from_tokens",
    "score_page",
]
