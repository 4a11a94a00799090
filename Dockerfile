# One image for web, workers and beat. Build: docker build -t segmentation-engine .
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 SAM2_BUILD_CUDA=0
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm make libgl1 libglib2.0-0 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt Makefile ./
RUN python -m venv .venv && make venv
COPY . .
RUN make frontend && .venv/bin/python backend/manage.py collectstatic --noinput
ENV PATH=/app/.venv/bin:$PATH PYTHONPATH=/app
EXPOSE 8000
CMD ["gunicorn", "-c", "backend/config/gunicorn.conf.py", "backend.config.asgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
