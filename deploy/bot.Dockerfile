# The bot (web app, webhooks, console, delivery workers) and, with another command, the Chroma
# server and the one-shot index build. Build from the repository root:
#   docker build -f deploy/bot.Dockerfile -t consumer-rights-bot .
FROM python:3.11-slim

RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY connectors ./connectors
COPY knowledge_base ./knowledge_base
RUN pip install --no-cache-dir .
# The legal corpus (../shared/corpus beside a checkout) is mounted at /corpus.
ENV CORPUS_DIR=/corpus \
    DATA_DIR=/data \
    RASA_AUTOSTART=false \
    LOG_FORMAT=json \
    LOG_LEVEL=INFO
RUN useradd --system --home /data bot && mkdir -p /data && chown bot /data
USER bot
EXPOSE 8000
CMD ["python", "-m", "bot", "serve", "--host", "0.0.0.0", "--port", "8000"]
