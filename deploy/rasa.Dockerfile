# A Rasa NLU server (Rasa Open Source 3.6.21 needs Python 3.10) with the model trained at build
# time from rasa_project/. Build from the repository root:
#   docker build -f deploy/rasa.Dockerfile -t consumer-rights-rasa .
# The auth token comes from RASA_AUTH_TOKEN in the environment, never the command line.
FROM python:3.10-slim

WORKDIR /rasa
COPY rasa_project/requirements.txt ./
RUN pip install --no-cache-dir "pip<24.1" && pip install --no-cache-dir -r requirements.txt
COPY rasa_project/config.yml rasa_project/domain.yml ./
COPY rasa_project/data ./data
COPY bot/nlu/rasa_with_token.py ./
ENV RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2
RUN rasa train nlu --out models --fixed-model-name nlu
RUN useradd --system --home /rasa rasa && chown -R rasa /rasa
USER rasa
EXPOSE 5005
CMD ["python", "rasa_with_token.py", "run", "--enable-api", "-i", "0.0.0.0", "-p", "5005", \
     "-m", "models/nlu.tar.gz"]
