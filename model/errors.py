"""Errors raised on bad drawings or images, with a stable code for the API."""


class InputError(ValueError):
    """An input the preprocessing cannot turn into an image.

    ``code`` is a stable machine-readable string (``empty_drawing``,
    ``invalid_strokes``, ``invalid_pixels``, ``invalid_image``,
    ``unsupported_format``, ``image_too_large``, ``not_a_drawing``); ``detail``
    is a short human message. The server maps both to a 422 JSON body.
    """

    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code = code
        self.detail = detail

    def __repr__(self) -> str:
        return f"InputError({self.code!r}, {self.detail!r})"
