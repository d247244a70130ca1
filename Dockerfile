# Rolodex API image: the admin dashboard built with Node in one stage, a wheel (holding it) built
# in another, installed into a slim non-root runtime that needs no Node.
# Point it at Neo4j with NEO4J_URI / NEO4J_USER / NEO4J_PASSWORD (see compose.yaml).

FROM node:20-bookworm-slim AS dashboard
WORKDIR /src/dashboard
COPY dashboard/package.json dashboard/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY dashboard/build.mjs ./
COPY dashboard/src ./src
RUN npm run build

FROM python:3.11-slim AS build
WORKDIR /src
RUN pip install --no-cache-dir build==1.2.2
COPY pyproject.toml README.md ./
COPY app ./app
COPY --from=dashboard /src/app/static/dashboard ./app/static/dashboard
COPY graph ./graph
COPY export ./export
COPY portability ./portability
COPY auth ./auth
RUN python -m build --wheel --outdir /dist

FROM python:3.11-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    ROLODEX_ENVIRONMENT=production \
    ROLODEX_WORKERS=2
RUN useradd --system --uid 10001 --home-dir /srv/rolodex --create-home rolodex
COPY --from=build /dist/*.whl /tmp/
RUN pip install --no-cache-dir /tmp/*.whl && rm -f /tmp/*.whl
USER 10001
WORKDIR /srv/rolodex
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=2).status == 200 else 1)"]
CMD ["sh", "-c", "exec rolodex serve --host 0.0.0.0 --port 8000 --workers \"${ROLODEX_WORKERS}\""]
