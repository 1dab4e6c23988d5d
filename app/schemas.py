"""Request and response shapes of the API, with the examples shown in /docs."""

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, Strict, model_validator

# Strict: "1" or true is not a coordinate. JSON integers are still accepted.
Number = Annotated[float, Strict()]
Text = Annotated[str, Strict()]
FORMS = ("strokes", "image", "pixels")


class PredictRequest(BaseModel):
    """One drawing, in exactly one of three forms."""

    model_config = ConfigDict(extra="forbid")

    strokes: list[list[tuple[Number, Number]]] | None = Field(
        None,
        description="Pen-down strokes, each a list of [x, y] points in canvas CSS "
        "pixels, y down; at most 100 strokes and 10000 points",
    )
    width: Number | None = Field(None, description="Canvas width, with strokes")
    height: Number | None = Field(None, description="Canvas height, with strokes")
    image: Text | None = Field(
        None,
        description="A PNG, JPEG or WebP image as a data URL or bare base64",
    )
    pixels: list[list[Number]] | None = Field(
        None,
        description="28 rows of 28 numbers in [0, 1], white ink on black, "
        "used as they are",
    )

    @model_validator(mode="after")
    def _one_form(self):
        sent = [form for form in FORMS if getattr(self, form) is not None]
        if len(sent) != 1:
            raise ValueError("Send exactly one of strokes, image or pixels")
        if sent != ["strokes"] and (self.width, self.height) != (None, None):
            raise ValueError("width and height go with strokes only")
        return self


class NumberRequest(BaseModel):
    """A drawing of digits side by side, as strokes; read as one number."""

    model_config = ConfigDict(extra="forbid")

    strokes: list[list[tuple[Number, Number]]] = Field(
        description="Pen-down strokes, each a list of [x, y] points in canvas CSS "
        "pixels, y down; at most 100 strokes and 10000 points in all",
    )
    width: Number | None = Field(None, description="Canvas width")
    height: Number | None = Field(None, description="Canvas height")

    @model_validator(mode="before")
    @classmethod
    def _strokes_only(cls, data):
        if isinstance(data, dict) and {"image", "pixels"} & data.keys():
            raise ValueError(
                "Numbers are read from strokes only; send an image to /predict"
            )
        return data


class BatchEnvelope(BaseModel):
    """A batch as parsed: its items are checked one by one, later."""

    model_config = ConfigDict(extra="forbid")

    items: list[Any]


class Timing(BaseModel):
    preprocess: float
    inference: float
    explain: float | None = Field(None, description="Only with ?explain=true")
    total: float


class PredictResponse(BaseModel):
    digit: int = Field(ge=0, le=9)
    probabilities: list[float] = Field(description="10 numbers summing to 1")
    confidence: float = Field(description="The probability of `digit`")
    uncertain: bool = Field(
        description="Low confidence, a close runner-up or a "
        "drawing that is not one clean digit"
    )
    alternatives: list[int] = Field(
        description="When uncertain, the likely digits, most probable first"
    )
    warnings: list[str] = Field(
        description="Notes on the drawing: several_marks, scribble, tiny_drawing"
    )
    image: list[list[float]] = Field(description="The 28x28 input the model saw")
    saliency: list[list[float]] | None = Field(
        None,
        description="Only with ?explain=true: 28 rows of 28 numbers in [-1, 1], "
        "the gradient of log p(digit) with respect to the input, scaled by its "
        "largest magnitude. Positive: more ink on that pixel would make `digit` "
        "more likely; negative: ink there counts against it",
    )
    model_version: str
    preprocess_version: str
    timing_ms: Timing


class NumberDigit(BaseModel):
    digit: int = Field(ge=0, le=9)
    probabilities: list[float] = Field(description="10 numbers summing to 1")
    confidence: float = Field(description="The probability of `digit`")
    uncertain: bool
    alternatives: list[int] = Field(
        description="When uncertain, the likely digits, most probable first"
    )
    warnings: list[str]
    box: list[float] = Field(
        description="[x0, y0, x1, y1] of the digit's points, in the request's "
        "coordinates (pen width not included)"
    )
    strokes: list[int] = Field(description="Indices of the digit's strokes")


class NumberTiming(BaseModel):
    total: float


class NumberResponse(BaseModel):
    number: str = Field(description="The digits read, left to right")
    digits: list[NumberDigit]
    uncertain: bool = Field(description="True when any digit is uncertain")
    model_version: str
    preprocess_version: str
    timing_ms: NumberTiming


class ErrorBody(BaseModel):
    detail: str
    code: str


class ItemError(BaseModel):
    error: ErrorBody


class BatchResponse(BaseModel):
    results: list[PredictResponse | ItemError]


class Health(BaseModel):
    status: str
    model_loaded: bool


class Limits(BaseModel):
    max_body_bytes: int
    max_batch: int
    max_strokes: int
    max_points: int
    max_image_pixels: int
    max_png_webp_pixels: int
    max_image_side: int
    image_formats: list[str]


class ModelDescription(BaseModel):
    sizes: list[int]
    temperature: float
    test_accuracy: float | None
    test_ece: float | None
    val_accuracy: float | None
    strokes_accuracy: float | None
    trained_at: str | None
    model_version: str
    preprocess_version: str
    limits: Limits


# A 32x32 PNG of a "1", black on white.
EXAMPLE_PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAACAAAAAgCAAAAABWESUoAAAAO0lEQVR42mP8z4AfMDEMgAJGNO5/"
    "LNL/cZvAiGEgC35pNBP+E3Tkf4b///H74v/gCMlRBUNXAeMgyJsAiXsJO4MS8/IAAAAASUVORK5CYII="
)
EXAMPLE_STROKES = {
    "strokes": [[[110, 80], [150, 50], [150, 230]], [[110, 230], [190, 230]]],
    "width": 280,
    "height": 280,
}
EXAMPLE_PIXELS = {
    "pixels": [
        [1.0 if 6 <= row < 22 and col == 14 else 0.0 for col in range(28)]
        for row in range(28)
    ]
}
PREDICT_EXAMPLES = {
    "strokes": {
        "summary": "Strokes from a canvas",
        "value": EXAMPLE_STROKES,
    },
    "image": {
        "summary": "An image as a data URL",
        "value": {"image": "data:image/png;base64," + EXAMPLE_PNG},
    },
    "image_base64": {
        "summary": "An image as bare base64",
        "value": {"image": EXAMPLE_PNG},
    },
    "pixels": {
        "summary": "28x28 pixels in [0, 1], white on black",
        "value": EXAMPLE_PIXELS,
    },
}
# A "4" of two strokes, then a "1".
EXAMPLE_NUMBER = {
    "strokes": [
        [[70, 40], [30, 150], [120, 150]],
        [[100, 80], [100, 210]],
        [[190, 60], [215, 40], [215, 210]],
    ],
    "width": 280,
    "height": 250,
}
NUMBER_EXAMPLES = {
    "four_one": {"summary": "A 4 of two strokes, then a 1", "value": EXAMPLE_NUMBER}
}
BATCH_EXAMPLES = {
    "mixed": {
        "summary": "Three drawings, one per form",
        "value": {
            "items": [
                EXAMPLE_STROKES,
                {"image": EXAMPLE_PNG},
                EXAMPLE_PIXELS,
            ]
        },
    }
}
