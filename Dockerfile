# The HanoiSmart API image. Neo4j runs in its own container (docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
RUN useradd --create-home --uid 10001 hanoismart
COPY . .
RUN pip install . && mkdir -p /var/lib/hanoismart && chown hanoismart /var/lib/hanoismart \
    && python scripts/fetch_graphiql.py /app/graphiql

USER hanoismart
ENV HANOISMART_HOST=0.0.0.0 \
    HANOISMART_PORT=8000 \
    HANOISMART_VAR_DIR=/var/lib/hanoismart \
    HANOISMART_GRAPHIQL_ASSETS_DIR=/app/graphiql
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=5 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/readyz').status == 200 else 1)"
CMD ["hanoismart", "serve"]
