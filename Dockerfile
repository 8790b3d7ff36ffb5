FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY . .
# The migrations (alembic/) and their config (pyproject.toml) are read from the project
# folder next to the `server` package, so the package is installed in place.
RUN pip install -e . \
    && useradd --system --no-create-home catalog
USER catalog

EXPOSE 8000
CMD ["sh", "-c", "service-catalog migrate && exec service-catalog serve --host 0.0.0.0 --port 8000"]
