"""The web app: a FastAPI server around the model."""

import os

# NOTE: one BLAS thread per process. A single image is too small to split, and
# concurrent requests already use the cores; on a busy 2-core machine threaded
# BLAS made one 784-1024-1024-10 forward pass 27x slower (3.9 ms vs 0.14 ms)
# (measured on the earlier, larger network).
# This must run before NumPy is first imported; an explicit setting wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
