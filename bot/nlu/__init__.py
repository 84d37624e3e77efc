"""NLU: the Rasa model (trained by content hash), the `rasa run` server and its HTTP client."""

from bot.nlu.client import Entity, NluResult, NluUnavailable, RasaClient
from bot.nlu.model import RasaSetupError, ensure_model, model_path, training_fingerprint
from bot.nlu.server import RasaServer, resolve_rasa_token

__all__ = [
    "Entity",
    "NluResult",
    "NluUnavailable",
    "RasaClient",
    "RasaServer",
    "RasaSetupError",
    "ensure_model",
    "model_path",
    "resolve_rasa_token",
    "training_fingerprint",
]
