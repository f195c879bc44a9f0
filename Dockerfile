# One image for every onceonly process (API, worker, mock agencies, setup); the command picks.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY onceonly onceonly
COPY workflows workflows
COPY activities activities
COPY adapters adapters
COPY mocks mocks
RUN pip install --no-cache-dir .
RUN useradd --system --uid 10001 onceonly
USER onceonly
ENV PYTHONUNBUFFERED=1
CMD ["onceonly", "--help"]
