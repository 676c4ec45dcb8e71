# Passerelle: `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PASSERELLE := $(VENV)/bin/passerelle
INSTALLED := $(VENV)/.installed
AXE := node_modules/axe-core/axe.min.js
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install run serve test test-postgres browser-deps i18n bench clean

install: $(INSTALLED)

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

$(AXE): package.json
	npm install --no-audit --no-fund --silent
	touch $@

## Browser tests need Debian's chromium, catalog tests GNU gettext (msgfmt, msgmerge); install them
## when we can (root), else those tests skip with a reason.
browser-deps: $(AXE)
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	command -v msgmerge >/dev/null 2>&1 || missing="$$missing gettext"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "missing Debian packages:$$missing (not root): the tests that need them will be skipped"; \
	  fi; \
	fi

run: install
	-$(PASSERELLE) init --demo
	$(PASSERELLE) run --host $(HOST) --port $(PORT)

serve: install
	$(PASSERELLE) init
	$(VENV)/bin/gunicorn -c gunicorn.conf.py wsgi:app

test: install browser-deps
	$(PY) -m pytest

i18n: install
	$(PASSERELLE) i18n update
	$(PASSERELLE) i18n compile

bench: install
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) node_modules instance .pytest_cache .hypothesis
