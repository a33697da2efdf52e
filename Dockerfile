# One image for every Python service: web (gunicorn), worker, beat and the one-shot migration.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /srv/app
# Dependencies first, so a code change does not reinstall them.
COPY pyproject.toml README.md ./
RUN mkdir app matching workers && touch app/__init__.py matching/__init__.py workers/__init__.py \
 && pip install . && pip uninstall -y integration-aktiv-matching && rm -rf app matching workers build
COPY alembic.ini babel.cfg ./
COPY migrations ./migrations
COPY app ./app
COPY matching ./matching
COPY workers ./workers
# Editable: app/migrate.py finds alembic.ini and migrations/ next to the package, so /srv/app is the one
# copy that runs. Catalogues are compiled when there are any (none before the first translation pass).
RUN pip install --no-deps -e . \
 && if ls app/translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
      pybabel compile -d app/translations -f; fi \
 && useradd --create-home --uid 10001 integration
USER integration
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-", "app:create_app()"]
