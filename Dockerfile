# The graph-service image for `docker compose up` (users with Docker; our CI has none).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY graph_service graph_service
COPY importers importers
COPY viz viz
COPY cypher cypher
RUN pip install --no-cache-dir .
ENV GRAPH_STORE=/data/graph-service.db
VOLUME /data
EXPOSE 8000
CMD ["graph-service", "serve"]
