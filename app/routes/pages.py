"""GET /: the drawing page."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

router = APIRouter()


@router.head("/", response_class=HTMLResponse, include_in_schema=False)
@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def read_page(request: Request):
    """The drawing page, with the model's figures for its footer."""
    description = request.app.state.predictor.describe_model()
    model_info = {
        key: description[key]
        for key in ("sizes", "test_accuracy", "strokes_accuracy", "trained_at")
    }
    model_info["docs_url"] = request.app.docs_url
    return request.app.state.templates.TemplateResponse(
        request, "index.html", {"model_info": model_info}
    )
