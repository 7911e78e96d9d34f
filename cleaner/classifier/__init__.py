"""Line classifier for site chrome in plain text: explainable features and a small shipped model."""
from cleaner.classifier.features import FEATURE_NAMES, line_features
from cleaner.classifier.model import ChromeModel, default_model

__all__ = ["FEATURE_NAMES", "line_features", "ChromeModel", "default_model"]
