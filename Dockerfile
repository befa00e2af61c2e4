FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update && apt-get install -y --no-install-recommends gettext curl && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt && pip check
COPY . .
# Translations and static files are built into the image (bin/prod build) with the production settings, whose
# required variables get build-only placeholders here: neither step touches the database, Redis or email.
RUN DJANGO_SETTINGS_MODULE=ihanoi.settings.production SECRET_KEY=build-only ALLOWED_HOSTS=build.invalid \
    SITE_URL=https://build.invalid DATABASE_URL=sqlite:////tmp/build.sqlite3 REDIS_URL=redis://build.invalid:6379/0 \
    EMAIL_URL=dummymail:// bin/prod build
RUN useradd --create-home app && mkdir -p /app/var/celery && chown -R app /app/var
USER app
EXPOSE 8000
# docker-compose.yml runs the other processes from this image: bin/prod migrate | worker | beat
CMD ["bin/prod", "web"]
