# syntax=docker/dockerfile:1
# The production image: a wheel built from this checkout, installed with the versions
# uv.lock pins (hashes checked) into a slim runtime that runs as a non-root user.
#   docker build -t service-catalog .
#   docker run --rm service-catalog migrate          # once per release
#   docker run -p 8000:8000 service-catalog          # serve (the default command)
#   docker run service-catalog worker                # the scheduled jobs and deliveries

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN pip install "uv==0.13.9"
WORKDIR /src
COPY pyproject.toml uv.lock README.md ./
COPY core core
COPY identity identity
COPY catalog catalog
COPY work work
COPY feedback feedback
COPY service_levels service_levels
COPY notifications notifications
COPY salesforce salesforce
COPY graphql_schema graphql_schema
COPY server server
# The runtime's requirements exactly as locked (the otel extra included, nothing for
# tests or the embedded database), then the wheel, migrations inside it.
RUN uv export --locked --no-dev --extra otel --no-emit-project --format requirements-txt \
        --output-file /dist/requirements.txt \
    && uv build --wheel --out-dir /dist

FROM python:3.11-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/service-catalog/bin:$PATH \
    CATALOG_ENV=prod \
    CATALOG_DATA_DIR=/tmp/service-catalog
COPY --from=build /dist /dist
RUN python -m venv /opt/service-catalog \
    && /opt/service-catalog/bin/pip install --require-hashes -r /dist/requirements.txt \
    && /opt/service-catalog/bin/pip install --no-deps /dist/*.whl \
    && rm -rf /dist \
    && useradd --system --uid 10001 --user-group --no-create-home catalog
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
ENTRYPOINT ["service-catalog"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
