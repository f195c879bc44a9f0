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
# The code stays root's and read-only to the processes. What they may write is their state
# dir, theirs alone: the embedded store's files (with no ONCEONLY_DATABASE_URL) and the mock
# agencies' database; in production the state is in PostgreSQL and nothing is written here.
# /var/lib/onceonly-exchange: the batch-file agencies' drop (a shared volume, or SFTP's mount).
RUN useradd --system --uid 10001 --user-group --no-create-home --home-dir /var/lib/onceonly onceonly \
    && install -d -o onceonly -g onceonly -m 0750 /var/lib/onceonly \
    && install -d -o onceonly -g onceonly -m 0750 /var/lib/onceonly-exchange
ENV ONCEONLY_STATE_DIR=/var/lib/onceonly \
    PYTHONUNBUFFERED=1
USER 10001
CMD ["onceonly", "--help"]
