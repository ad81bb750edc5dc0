# syntax=docker/dockerfile:1
# InSession with model-exporter: the image of the retraining CronJob (retrain-cronjob.yaml).
# Build the application image first (deploy/Dockerfile, tag insession:dev), then, from the
# repository root (the root .dockerignore leaves model-exporter/ out of the main context, so
# it comes in as a named build context; BuildKit):
#   docker build -f deploy/kubernetes/retrain/retrain.Dockerfile \
#     --build-context exporter=model-exporter -t insession-retrain:dev .
FROM insession:dev
USER root
# Debian/Ubuntu torch wheels are large; the CPU wheel from PyTorch's index is enough.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-pip python3-venv \
 && rm -rf /var/lib/apt/lists/* \
 && python3 -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-cache-dir --index-url https://download.pytorch.org/whl/cpu torch \
 && /opt/venv/bin/pip install --no-cache-dir onnx numpy \
 && ln -sf /opt/venv/bin/python3 /usr/local/bin/insession-python
COPY --from=exporter . /opt/model-exporter
ENV INSESSION_RETRAIN_PYTHON=/usr/local/bin/insession-python \
    INSESSION_RETRAIN_EXPORTER_DIR=/opt/model-exporter
USER 10001:10001
