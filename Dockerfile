# Masthead's production image: one image for the web, worker, scheduler and
# backup containers of compose.yaml, each started with its own command.
#
#   docker build -t masthead .
#
# Debian's own Python (3.11 on bookworm) rather than a python:* image: the base
# is then any bookworm root file system, including one made with debootstrap
# where no registry can be reached (BASE_IMAGE, docs/deploy.md), and pg_dump
# comes from the same release as the interpreter.
ARG BASE_IMAGE=debian:bookworm-slim

FROM ${BASE_IMAGE} AS build
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        python3 python3-venv \
    && rm -rf /var/lib/apt/lists/*
RUN python3 -m venv /opt/venv
WORKDIR /app
# The dependencies alone first, so that a change to the code reuses this layer.
# Only [project.dependencies]: the [dev] extra (pytest, Playwright, ruff,
# semgrep) never enters the image. requirements.lock pins each one.
COPY pyproject.toml requirements.lock ./
RUN python3 -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))' \
        > /tmp/runtime-requirements.txt \
    && /opt/venv/bin/pip install --no-cache-dir --disable-pip-version-check \
        -c requirements.lock -r /tmp/runtime-requirements.txt
# The project runs from its source tree: settings find templates/ and
# static_src/ beside the masthead package (BASE_DIR).
COPY manage.py ./
COPY masthead ./masthead
COPY templates ./templates
COPY static_src ./static_src
# Static files with hashed names and their .gz/.br twins, made once here rather
# than at every start. Production settings refuse to load without a strong
# SECRET_KEY and ALLOWED_HOSTS; collectstatic uses neither, so throwaway values
# are given to this one command and never stored in the image.
RUN env DJANGO_SETTINGS_MODULE=masthead.settings.production \
        SECRET_KEY="$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')" \
        ALLOWED_HOSTS=build.invalid SITE_URL=https://build.invalid \
        DEFAULT_FROM_EMAIL=build@build.invalid \
        MASTHEAD_VAR_DIR=/tmp/build-var STATIC_ROOT=/app/static \
        /opt/venv/bin/python manage.py collectstatic --noinput --verbosity 0 \
    && /opt/venv/bin/python -m compileall -q masthead

FROM ${BASE_IMAGE} AS runtime
# python3 for the app, postgresql-client for masthead_backup's pg_dump (and
# masthead_restore's pg_restore); psycopg's wheel carries its own libpq.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        python3 postgresql-client ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 masthead \
    && useradd --system --uid 10001 --gid masthead --no-create-home \
        --home-dir /var/lib/masthead --shell /usr/sbin/nologin masthead \
    && install -d -o masthead -g masthead /var/lib/masthead \
        /var/lib/masthead/media /var/lib/masthead/private /var/lib/masthead/backups
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
ENV PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=masthead.settings.production \
    MASTHEAD_VAR_DIR=/var/lib/masthead \
    STATIC_ROOT=/app/static \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
WORKDIR /app
# The code and static files stay root's: a compromised process cannot rewrite them.
USER masthead
EXPOSE 8000
# The web process. Its flags are masthead_serve's (gunicorn_command), which
# tests/test_deploy_kit.py holds equal; WEB_CONCURRENCY sets the workers.
CMD ["gunicorn", "--bind=0.0.0.0:8000", "--worker-class=sync", \
     "--max-requests=20000", "--max-requests-jitter=2000", \
     "--graceful-timeout=20", "--no-control-socket", "masthead.wsgi"]
