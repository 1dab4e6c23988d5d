"""Build the FastAPI app: the model loaded once, routes, static files, page."""

import warnings
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from PIL import Image

from app.config import Settings
from app.errors import add_error_handlers
from app.limits import BodyLimit
from app.predictor import load_predictor
from app.routes import meta, pages, predict

ROOT = Path(__file__).resolve().parent.parent


@asynccontextmanager
async def lifespan(app: FastAPI):
    # Raises StartupError, naming the training command, without weights.
    app.state.predictor = load_predictor(app.state.settings.weights)
    app.state.cpu_limiter = anyio.CapacityLimiter(app.state.settings.cpu_slots)
    yield
    app.state.predictor = None


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app for ``settings``, by default read from the environment."""
    app = FastAPI(
        title="Digits",
        summary="Draw a digit; a NumPy MLP trained on MNIST reads it.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings or Settings.from_env()
    # model.decode refuses such images itself (image_too_large), and the
    # refusal is logged once (app.errors); Pillow's warning would add a raw
    # line of its own.
    warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)
    app.state.templates = Jinja2Templates(directory=ROOT / "app" / "templates")
    app.add_middleware(BodyLimit, max_bytes=app.state.settings.max_body_bytes)
    add_error_handlers(app)
    # check_dir=False: a checkout without built assets still serves the API.
    static = StaticFiles(directory=ROOT / "static", check_dir=False)
    app.mount("/static", static, name="static")
    for module in (pages, predict, meta):
        app.include_router(module.router)
    return app


app = create_app()
