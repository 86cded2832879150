# ATT Secretariat Platform. `make run` serves it with demo data; `make test` runs the suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
PYTEST_ARGS ?=
# The suite runs on every core (pytest-xdist; each worker has its own test database).
PYTEST_WORKERS ?= auto

.PHONY: run test bench lint fmt install messages makemessages check-deploy clean

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-pip.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-pip.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.txt
	@touch $@

# Compile the .po catalogues with Babel (pure Python: no gettext tools needed).
messages: install
	@$(BIN)/python manage.py compile_translations

# bootstrap = compile translations + migrate + reference data + demo users (all idempotent).
run: install
	$(BIN)/python manage.py bootstrap
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install messages
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

bench: install messages
	$(BIN)/python benchmarks/run.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

fmt: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Extracting strings needs GNU gettext (apt-get install gettext); compiling does not.
makemessages: install
	$(BIN)/python manage.py makemessages --all --no-obsolete --ignore=.venv --ignore=staticfiles --ignore=var

check-deploy: install
	DEBUG=False SECRET_KEY=ci-only-$$(head -c 48 /dev/urandom | base64 | tr -d '/+=') \
	ALLOWED_HOSTS=platform.example.org SECURE_SSL_REDIRECT=True \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) staticfiles
