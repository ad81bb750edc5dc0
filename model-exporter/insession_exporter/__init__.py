"""InSession model exporter: GRU4Rec training on session click streams and ONNX model-bundle export."""
from .data import SessionData, Vocabulary, read_sessions
from .export import export
from .model import GRU4Rec, ModelConfig, StepModule

__all__ = ["SessionData", "Vocabulary", "read_sessions", "export", "GRU4Rec", "ModelConfig", "StepModule"]
__version__ = "0.1.0"
