# The two commands of the README: `make demo` and `make test`.
# Everything is installed into .venv/ and node_modules/; nothing global but
# Debian's chromium (for the UI tests), which `make test` installs when missing.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(abspath $(VENV))/bin
export PATH := $(BIN):$(PATH)
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
export JUPYTER_PLATFORM_DIRS := 1

.PHONY: demo test install check-tools chromium lint jest pytest corpus ui-test examples clean dist-check hub-proxy

## demo: install, run the example experiments with papermill, open JupyterLab on them
# As root (containers, CI machines) Jupyter refuses to start without --allow-root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

demo: install examples
	jupyter lab --notebook-dir=examples/runs $(ALLOW_ROOT)

## test: install everything and run every test (what CI runs)
test: install chromium lint jest pytest ui-test dist-check

check-tools:
	@scripts/check-tools.sh

$(VENV)/.stamp-python: pyproject.toml tests/constraints.txt package.json yarn.lock | check-tools
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet "jupyterlab>=4.6,<4.7"
	$(BIN)/jlpm install --immutable
	$(BIN)/jlpm build
	$(BIN)/python -m pip install --quiet -c tests/constraints.txt -e ".[test,demo]"
	$(BIN)/jupyter labextension develop --overwrite .
	touch $@

install: $(VENV)/.stamp-python
	$(BIN)/jlpm build
	@jupyter labextension list 2>&1 | grep -q "jupyterlab-nbcompare.*enabled" || { echo "jupyterlab-nbcompare is not enabled"; exit 1; }

examples: install
	@test -f examples/runs/.complete -a examples/runs/.complete -nt examples/template.ipynb -a examples/runs/.complete -nt examples/generate.py -a examples/runs/.complete -nt examples/sweep.nbcompare \
	  || { $(BIN)/python examples/generate.py examples/runs && touch examples/runs/.complete; }

chromium:
	@command -v chromium >/dev/null || { echo "Installing Debian's chromium for the UI tests..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; }

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/jlpm lint:check

jest: install
	$(BIN)/jlpm test

pytest: install corpus hub-proxy
	$(BIN)/python -m pytest -q

## corpus: other projects' test notebooks, from their pinned sdists (scripts/corpus-lock.json)
## into the git-ignored .cache/corpus/real/; does nothing when already there
corpus: install
	$(BIN)/python scripts/fetch-corpus.py

## hub-proxy: JupyterHub's configurable-http-proxy (npm) for tests/test_hub.py, in tests/hub
HUB_PROXY := tests/hub/node_modules/.bin/configurable-http-proxy
hub-proxy: $(HUB_PROXY)

$(HUB_PROXY): tests/hub/package.json tests/hub/package-lock.json
	cd tests/hub && npm ci --no-audit --no-fund --loglevel=error
	touch $@

ui-test: install chromium examples
	cd ui-tests && $(BIN)/jlpm install --immutable && $(BIN)/jlpm test

clean:
	rm -rf $(VENV) node_modules ui-tests/node_modules tests/hub/node_modules lib jupyterlab_nbcompare/labextension examples/runs

## dist-check: build the wheel as `pip install .` does (isolated, from a clean copy of
## HEAD) and check it carries the prebuilt labextension and the server config
dist-check: check-tools
	rm -rf build/dist-check && mkdir -p build/dist-check
	git archive HEAD | tar -x -C build/dist-check
	cd build/dist-check && $(PYTHON) -m pip wheel . --no-deps --quiet -w dist
	$(PYTHON) scripts/check-wheel.py build/dist-check/dist/*.whl
