"""GET /health and /model: is the server up, and what model does it run."""

from fastapi import APIRouter, Request

from app.predictor import limits
from app.schemas import Health, ModelDescription

router = APIRouter()


# HEAD too, for uptime checkers that send it.
@router.head("/health", include_in_schema=False)
@router.get("/health", response_model=Health)
def read_health(request: Request) -> dict:
    """Alive, with the model loaded."""
    loaded = getattr(request.app.state, "predictor", None) is not None
    return {"status": "ok", "model_loaded": loaded}


@router.get("/model", response_model=ModelDescription)
def read_model(request: Request) -> dict:
    """Architecture, measured accuracies, training date, versions and limits."""
    settings = request.app.state.settings
    description = request.app.state.predictor.describe_model()
    description["limits"] = limits(settings.max_body_bytes, settings.max_batch)
    return description
