# The digits demo: the FastAPI app, the page and the shipped weights.
#   docker build -t digits .
#   docker run -p 8000:8000 digits
ARG BASE_IMAGE=python:3.11-slim
FROM ${BASE_IMAGE}

# MALLOC_ARENA_MAX: glibc gives each allocating thread an arena of its own;
# two keep a long-running worker's memory flat (bench/soak.py)
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HOST=0.0.0.0 \
    PORT=8000 \
    WORKERS=1 \
    MALLOC_ARENA_MAX=2

# Dependencies before the source, so a code change reuses this layer. A
# virtual environment, because Debian's own python3 refuses system-wide pip
# installs (PEP 668: https://peps.python.org/pep-0668/); pip and setuptools
# leave it in the same layer, as nothing installs at run time
WORKDIR /srv/digits
COPY requirements.txt .
RUN python3 -m venv /opt/venv \
    && /opt/venv/bin/pip install -r requirements.txt \
    && /opt/venv/bin/pip uninstall --yes pip setuptools
ENV PATH=/opt/venv/bin:$PATH

COPY model/ model/
COPY app/ app/
COPY static/ static/

RUN useradd --system --no-create-home --uid 10001 digits
USER digits

EXPOSE 8000
# The image has no curl; Python's urllib asks /health instead
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD ["python3", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ.get('PORT', '8000'), timeout=2)"]
CMD ["python3", "-m", "app"]
