"""The web app: a FastAPI server around the model."""
