# The web image: gunicorn serving the Django app; PostgreSQL runs in its own container.
FROM python:3.12-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY requirements.lock pyproject.toml ./
RUN pip install -r requirements.lock

COPY . .
# collectstatic needs settings to import; these values exist only for the build step (a throw-away
# random key: production settings refuse any key written in the repository).
RUN DEBUG=false SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    DATABASE_URL=postgresql://build@localhost/build \
    python manage.py collectstatic --noinput \
 && useradd --system --uid 10001 --home /app capacity \
 && chown -R capacity /app
USER capacity

EXPOSE 8000
# Migrate, then serve. Workers and timeout can be tuned with GUNICORN_CMD_ARGS.
CMD ["sh", "-c", "python manage.py migrate --noinput && exec gunicorn config.wsgi --bind 0.0.0.0:8000 --workers ${WEB_CONCURRENCY:-2} --access-logfile -"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz').status == 200 else 1)"
